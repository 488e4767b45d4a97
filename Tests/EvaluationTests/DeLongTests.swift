import Testing
@testable import Evaluation

/// One binary case of Scripts/make-evidence-fixtures: DeLong's variance from pairwise placements.
struct DeLongCase: Decodable, CustomTestStringConvertible {
    let name: String
    let scores: [Float]
    let labels: [Int]
    let auc: Double
    let variance: Double
    let interval: [Double]
    var testDescription: String { name }
}

/// A three-class case: one-vs-rest AUCs and the macro average's variance.
struct MacroDeLongCase: Decodable, CustomTestStringConvertible {
    let name: String
    let probabilities: [[Float]]
    let labels: [Int]
    let classAucs: [Double]
    let macroAuc: Double
    let variance: Double
    let interval: [Double]
    var testDescription: String { name }
}

@Suite struct DeLongTests {
    @Test(arguments: loadEvidenceCases("delong.json", as: DeLongCase.self))
    func midrankVarianceMatchesThePairwiseDefinition(_ fixture: DeLongCase) throws {
        let result = try #require(DeLongAUC(scores: fixture.scores, isPositive: fixture.labels.map { $0 == 1 }))
        #expect(isClose(result.auc, fixture.auc))
        #expect(isClose(try #require(result.variance), fixture.variance, tolerance: 1e-12))
        let interval = try #require(result.interval)
        #expect(isClose(interval.lower, fixture.interval[0]) && isClose(interval.upper, fixture.interval[1]))
    }

    @Test(arguments: loadEvidenceCases("delong.json", as: DeLongCase.self))
    func aucEqualsTheTrapezoidAreaOfTheROCCurve(_ fixture: DeLongCase) throws {
        let isPositive = fixture.labels.map { $0 == 1 }
        let curve = try #require(ROCCurve(scores: fixture.scores, isPositive: isPositive))
        let auc = try #require(DeLongAUC(scores: fixture.scores, isPositive: isPositive))
        #expect(isClose(auc.auc, curve.auc, tolerance: 1e-12))
    }

    @Test(arguments: loadEvidenceCases("macro_delong.json", as: MacroDeLongCase.self))
    func macroIntervalMatchesTheStratifiedInfluenceVariance(_ fixture: MacroDeLongCase) throws {
        let classNames = ["a", "b", "c"]
        let probabilities = fixture.probabilities.flatMap { $0 }
        let metrics = try ClassificationMetrics(probabilities: probabilities, labels: fixture.labels, classNames: classNames)
        let intervals = MetricIntervals(metrics: metrics, probabilities: probabilities, labels: fixture.labels)
        for (index, expected) in fixture.classAucs.enumerated() {
            #expect(isClose(try #require(metrics.classAUC[index]), expected))
        }
        #expect(isClose(try #require(metrics.auc), fixture.macroAuc))
        let interval = try #require(intervals.auc.delong)
        #expect(isClose(interval.lower, fixture.interval[0]) && isClose(interval.upper, fixture.interval[1]))
    }

    @Test func perfectSeparationHasZeroVarianceAndUndefinedGroupsHaveNoAUC() throws {
        let separated = try #require(DeLongAUC(scores: [0.1, 0.2, 0.8, 0.9], isPositive: [false, false, true, true]))
        #expect(separated.auc == 1)
        #expect(separated.variance == 0)
        #expect(DeLongAUC(scores: [0.1, 0.2], isPositive: [true, true]) == nil)
        // One positive: S10 is the variance of one value, undefined.
        let singlePositive = try #require(DeLongAUC(scores: [0.1, 0.2, 0.9], isPositive: [false, false, true]))
        #expect(singlePositive.variance == nil)
    }

    @Test func midranksShareTheMeanRankOfTies() {
        #expect(midranks([0.5, 0.1, 0.5, 0.9, 0.5]) == [3, 1, 3, 5, 3])
    }

    /// DeLong's interval is an asymptotic one: on 40 samples a 20,000-resample bootstrap of
    /// the AUC (positives and negatives resampled separately) must give nearly the same width.
    @Test func intervalAgreesWithALargeBootstrap() throws {
        let fixture = try #require(loadEvidenceCases("delong.json", as: DeLongCase.self).first)
        let isPositive = fixture.labels.map { $0 == 1 }
        let auc = try #require(DeLongAUC(scores: fixture.scores, isPositive: isPositive))
        let delong = try #require(auc.interval)
        let resampled = StratifiedBootstrap(resamples: 20_000, seed: 3).intervals(
            strata: fixture.labels, statisticCount: 1
        ) { indices in
            [DeLongAUC(scores: indices.map { fixture.scores[$0] }, isPositive: indices.map { isPositive[$0] })?.auc]
        }
        let bootstrap = try #require(resampled[0])
        let width = delong.upper - delong.lower
        #expect(abs((bootstrap.upper - bootstrap.lower) - width) < 0.1 * width)
        #expect(abs((bootstrap.upper + bootstrap.lower) / 2 - (delong.upper + delong.lower) / 2) < 0.1 * width)
    }
}

import Testing
@testable import Evaluation

@Suite struct ROCBandTests {
    /// 100 positives, 80 scoring 0.9 and 20 scoring 0.5, and 60 negatives all scoring 0.7: the
    /// curve rises to the share of positives at 0.9, runs flat to FPR 1, then rises to 1.
    static let scores: [Float] = [Float](repeating: 0.9, count: 80) + [Float](repeating: 0.5, count: 20)
        + [Float](repeating: 0.7, count: 60)
    static let isPositive = [Bool](repeating: true, count: 100) + [Bool](repeating: false, count: 60)

    /// Every resample keeps 100 positives, so below FPR 1 its TPR is Binomial(100, 0.8)/100,
    /// whose 2.5% and 97.5% quantiles are 0.72 and 0.88; at FPR 1 it is 1 in every resample.
    @Test func bandBelowTheLastStepIsTheBinomialQuantiles() throws {
        let band = try #require(ROCBand(scores: Self.scores, isPositive: Self.isPositive))
        #expect(band.falsePositiveRates == ROCBand.defaultGrid)
        for (rate, (lower, upper)) in zip(band.falsePositiveRates, zip(band.lower, band.upper)) where rate < 1 {
            #expect(abs(lower - 0.72) <= 0.011 && abs(upper - 0.88) <= 0.011)
        }
        #expect(band.lower.last == 1 && band.upper.last == 1)
    }

    @Test func theSameSeedGivesTheSameBand() throws {
        let scores: [Float] = [0.1, 0.4, 0.35, 0.8, 0.2, 0.7, 0.55, 0.9, 0.3, 0.65]
        let isPositive = [false, false, true, true, false, true, false, true, false, true]
        let band = try #require(ROCBand(scores: scores, isPositive: isPositive, bootstrap: StratifiedBootstrap(resamples: 300, seed: 3)))
        #expect(ROCBand(scores: scores, isPositive: isPositive, bootstrap: StratifiedBootstrap(resamples: 300, seed: 3)) == band)
        #expect(ROCBand(scores: scores, isPositive: isPositive, bootstrap: StratifiedBootstrap(resamples: 300, seed: 4)) != band)
        #expect(zip(band.lower, band.upper).allSatisfy { $0 <= $1 })
    }

    @Test func undefinedCurveHasNoBand() {
        #expect(ROCBand(scores: [0.2, 0.7], isPositive: [true, true]) == nil)
    }

    /// One positive and one negative tied: the curve is the diagonal, read linearly.
    @Test func rateOnATiedSegmentIsLinear() throws {
        let diagonal = try #require(ROCCurve(scores: [0.5, 0.5], isPositive: [true, false]))
        #expect(abs(diagonal.truePositiveRate(atFalsePositiveRate: 0.3) - 0.3) < 1e-12)
    }

    /// Two positives above two negatives: a vertical step at FPR 0, read at its top.
    @Test func rateAtAVerticalStepIsItsTop() throws {
        let perfect = try #require(ROCCurve(scores: [0.9, 0.8, 0.2, 0.1], isPositive: [true, true, false, false]))
        #expect(perfect.truePositiveRate(atFalsePositiveRate: 0) == 1)
        #expect(perfect.truePositiveRate(atFalsePositiveRate: 0.5) == 1)
    }
}

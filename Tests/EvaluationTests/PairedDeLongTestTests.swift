import Testing
@testable import Evaluation

/// Two score sets on the same images, with DeLong's covariance-matrix test from NumPy.
struct PairedDeLongCase: Decodable, CustomTestStringConvertible {
    let name: String
    let scoresA: [Float]
    let scoresB: [Float]
    let labels: [Int]
    let aucA: Double
    let aucB: Double
    let difference: Double
    let variance: Double
    let pValue: Double
    let interval: [Double]
    var testDescription: String { name }
}

@Suite struct PairedDeLongTestTests {
    @Test(arguments: loadEvidenceCases("paired_delong.json", as: PairedDeLongCase.self))
    func matchesDeLongsCovarianceMatrix(_ fixture: PairedDeLongCase) throws {
        let isPositive = fixture.labels.map { $0 == 1 }
        let first = try #require(DeLongAUC(scores: fixture.scoresA, isPositive: isPositive))
        let second = try #require(DeLongAUC(scores: fixture.scoresB, isPositive: isPositive))
        let test = try #require(PairedDeLongTest(first: first, second: second))
        #expect(isClose(test.first, fixture.aucA) && isClose(test.second, fixture.aucB))
        #expect(isClose(test.difference, fixture.difference))
        #expect(isClose(test.variance, fixture.variance, tolerance: 1e-12))
        #expect(isClose(test.pValue, fixture.pValue, tolerance: 1e-9))
        #expect(isClose(test.interval.lower, fixture.interval[0]) && isClose(test.interval.upper, fixture.interval[1]))
    }

    @Test func aModelComparedWithItselfDiffersByNothing() throws {
        let auc = try #require(DeLongAUC(scores: [0.1, 0.4, 0.35, 0.8, 0.7], isPositive: [false, false, true, true, true]))
        let test = try #require(PairedDeLongTest(first: auc, second: auc))
        #expect(test.difference == 0 && test.variance == 0 && test.pValue == 1)
        #expect(test.interval == ConfidenceInterval(lower: 0, upper: 0))
    }

    /// For a macro average the pairing still matters: two models whose scores are a monotone
    /// transform of each other rank every image alike, so every class's AUC and the macro
    /// average are identical and the test finds no difference.
    @Test func monotoneTransformedScoresHaveTheSameMacroAUC() throws {
        let labels = [0, 0, 1, 1, 2, 2, 0, 1, 2]
        let probabilities: [Float] = [0.6, 0.3, 0.1, 0.5, 0.3, 0.2, 0.2, 0.5, 0.3, 0.3, 0.4, 0.3, 0.1, 0.2, 0.7,
                                      0.2, 0.3, 0.5, 0.4, 0.4, 0.2, 0.3, 0.3, 0.4, 0.2, 0.2, 0.6]
        let squared = probabilities.map { $0 * $0 }
        let comparison = PairedComparison(
            labels: labels, classNames: ["a", "b", "c"],
            first: .init(probabilities: probabilities, predicted: labels),
            second: .init(probabilities: squared, predicted: [0, 0, 1, 1, 2, 2, 0, 1, 0]))
        let macro = try #require(comparison.auc)
        #expect(abs(macro.difference) < 1e-12 && macro.pValue == 1)
        #expect(comparison.classAUC.allSatisfy { $0 != nil })
        // The second model gets one image wrong that the first gets right.
        #expect(comparison.accuracy.onlyFirstCorrect == 1 && comparison.accuracy.onlySecondCorrect == 0)
        #expect(comparison.firstAccuracy == 1 && isClose(comparison.secondAccuracy, 8.0 / 9))
    }
}

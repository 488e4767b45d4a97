import Testing
@testable import Evaluation

/// Discordant counts with NumPy's p-value and the paired Wald interval of the accuracy difference.
struct McNemarCase: Decodable, CustomTestStringConvertible {
    let onlyACorrect: Int
    let onlyBCorrect: Int
    let images: Int
    let pValue: Double
    let method: String
    let difference: Double
    let interval: [Double]
    var testDescription: String { "b = \(onlyACorrect), c = \(onlyBCorrect) of \(images)" }
}

@Suite struct McNemarTestTests {
    @Test(arguments: loadEvidenceCases("mcnemar.json", as: McNemarCase.self))
    func matchesTheNumPyReference(_ fixture: McNemarCase) {
        let test = McNemarTest(onlyFirstCorrect: fixture.onlyACorrect, onlySecondCorrect: fixture.onlyBCorrect, imageCount: fixture.images)
        #expect(test.method.rawValue == fixture.method)
        #expect(isClose(test.pValue, fixture.pValue, tolerance: 1e-12))
        #expect(isClose(test.accuracyDifference, fixture.difference, tolerance: 1e-15))
        #expect(isClose(test.differenceInterval.lower, fixture.interval[0], tolerance: 1e-12))
        #expect(isClose(test.differenceInterval.upper, fixture.interval[1], tolerance: 1e-12))
    }

    /// Three discordant images, all one way: P = 2 · (½)³ = 0.25, too few to reject anything.
    @Test func threeOneSidedDisagreementsAreNotSignificant() {
        let test = McNemarTest(firstCorrect: [true, true, true, true, false], secondCorrect: [false, false, false, true, false])
        #expect(test.onlyFirstCorrect == 3 && test.onlySecondCorrect == 0)
        #expect(test.method == .exact && test.pValue == 0.25)
        #expect(test.accuracyDifference == 0.6)
    }
}

import Testing
@testable import Evaluation

/// Probabilities and labels with NumPy's ECE (15 bins) and Brier score.
struct CalibrationCase: Decodable, CustomTestStringConvertible {
    let name: String
    let probabilities: [[Float]]
    let labels: [Int]
    let ece: Double
    let brier: Double
    var testDescription: String { name }
}

@Suite struct CalibrationTests {
    @Test(arguments: loadEvidenceCases("calibration.json", as: CalibrationCase.self))
    func matchesTheNumPyReference(_ fixture: CalibrationCase) {
        let calibration = Calibration(
            probabilities: fixture.probabilities.flatMap { $0 }, labels: fixture.labels, classCount: fixture.probabilities[0].count)
        #expect(isClose(calibration.expectedCalibrationError, fixture.ece, tolerance: 1e-12))
        #expect(isClose(calibration.brierScore, fixture.brier, tolerance: 1e-12))
        #expect(calibration.bins.count == 15 && calibration.bins.reduce(0) { $0 + $1.count } == fixture.labels.count)
    }

    /// Four samples at confidence 0.8 of which 3 are right (a calibrated bin) and two at 0.9 of
    /// which none is: ECE = 4/6·|0.75 − 0.8| + 2/6·|0 − 0.9|.
    @Test func eceWeighsEachBinsGapByItsShare() throws {
        let probabilities: [Float] = [0.2, 0.8, 0.2, 0.8, 0.2, 0.8, 0.2, 0.8, 0.9, 0.1, 0.9, 0.1]
        let calibration = Calibration(probabilities: probabilities, labels: [1, 1, 1, 0, 1, 1], classCount: 2)
        #expect(isClose(calibration.expectedCalibrationError, 4.0 / 6 * 0.05 + 2.0 / 6 * 0.9, tolerance: 1e-6))
        let occupied = calibration.bins.filter { $0.count > 0 }
        #expect(occupied.map(\.count) == [4, 2])
        #expect(occupied.map(\.accuracy) == [0.75, 0])
        // Brier on p(class 1): three (0.8 − 1)², one 0.8², two (0.1 − 1)².
        #expect(isClose(calibration.brierScore, (3 * 0.04 + 0.64 + 2 * 0.81) / 6, tolerance: 1e-6))
    }

    @Test func aConfidenceOnABinBoundBelongsToTheLowerBin() {
        #expect(Calibration.bin(of: 1, binCount: 15) == 14)
        #expect(Calibration.bin(of: 0.5, binCount: 2) == 0)
        #expect(Calibration.bin(of: 0.5000001, binCount: 2) == 1)
        #expect(Calibration.bin(of: 0, binCount: 15) == 0)
    }
}

import Foundation
import Support
import Testing
@testable import Evaluation

@Suite struct TemperatureScalingTests {
    /// 600 samples of 3 classes whose labels are drawn from softmax(z / 2) while the model
    /// reports softmax(z): an overconfident model, which a temperature near 2 calibrates.
    static func overconfident() -> (probabilities: [Float], labels: [Int]) {
        var generator = SplitMix64(seed: 17)
        var probabilities: [Float] = []
        var labels: [Int] = []
        for _ in 0..<600 {
            let logits = (0..<3).map { _ in 3 * Double(generator.nextNormal()) }
            func softmax(_ temperature: Double) -> [Double] {
                let exponentials = logits.map { exp($0 / temperature) }
                let sum = exponentials.reduce(0, +)
                return exponentials.map { $0 / sum }
            }
            probabilities += softmax(1).map { Float($0) }
            let truth = softmax(2)
            let draw = Double(generator.nextUniform())
            labels.append(draw < truth[0] ? 0 : draw < truth[0] + truth[1] ? 1 : 2)
        }
        return (probabilities, labels)
    }

    @Test func fittingRecoversTheTemperatureOfAnOverconfidentModel() {
        let (probabilities, labels) = Self.overconfident()
        let scaling = TemperatureScaling.fitted(probabilities: probabilities, labels: labels, classCount: 3)
        #expect(abs(scaling.temperature - 2) < 0.4)
    }

    @Test func theFittedTemperatureLowersTheLikelihoodLossAndKeepsEveryPredictedClass() throws {
        let (probabilities, labels) = Self.overconfident()
        let scaling = TemperatureScaling.fitted(probabilities: probabilities, labels: labels, classCount: 3)
        let identity = TemperatureScaling(temperature: 1)
        let before = identity.negativeLogLikelihood(probabilities: probabilities, labels: labels, classCount: 3)
        #expect(scaling.negativeLogLikelihood(probabilities: probabilities, labels: labels, classCount: 3) < before)
        let scaled = scaling.apply(to: probabilities, classCount: 3)
        #expect(DecisionRule.argmax.predictedClasses(scaled, classCount: 3) == DecisionRule.argmax.predictedClasses(probabilities, classCount: 3))
        let names = ["a", "b", "c"]
        let accuracyBefore = try ClassificationMetrics(probabilities: probabilities, labels: labels, classNames: names).accuracy
        #expect(try ClassificationMetrics(probabilities: scaled, labels: labels, classNames: names).accuracy == accuracyBefore)
        #expect(Calibration(probabilities: scaled, labels: labels, classCount: 3).expectedCalibrationError
            < Calibration(probabilities: probabilities, labels: labels, classCount: 3).expectedCalibrationError)
    }

    @Test func temperatureOneLeavesProbabilitiesAndHighTemperaturesFlattenThem() {
        let probabilities: [Float] = [0.7, 0.2, 0.1, 0.05, 0.9, 0.05]
        let same = TemperatureScaling(temperature: 1).apply(to: probabilities, classCount: 3)
        #expect(zip(same, probabilities).allSatisfy { abs($0 - $1) < 1e-6 })
        let flat = TemperatureScaling(temperature: 1000).apply(to: probabilities, classCount: 3)
        #expect(flat.allSatisfy { abs($0 - 1.0 / 3) < 1e-2 })
    }
}

import Engine
import Foundation
import Networks
import Testing
@testable import Training

@Suite struct ExponentialMovingAverageTests {
    func model() throws -> Model {
        let model = try Model(kind: .tiny, imageSize: 32, channels: 1, classes: 2, batchCapacity: 2)
        model.executor.initializeParameters(seed: 3)
        return model
    }

    func set(_ model: Model, to value: Float) {
        for index in model.executor.parameters.indices { model.executor.parameters[index] = value }
    }

    @Test func eachUpdateMovesTheAverageByOneMinusTheDecayTowardsTheWeights() throws {
        let model = try model()
        set(model, to: 1)
        let average = ExponentialMovingAverage(decay: 0.9, startingFrom: model)
        set(model, to: 2)
        average.update(from: model, step: 1000)
        // 0.9·1 + 0.1·2 = 1.1, then 0.9·1.1 + 0.1·3 = 1.29.
        #expect(average.parameters.allSatisfy { abs($0 - 1.1) <= 1e-6 })
        set(model, to: 3)
        average.update(from: model, step: 1000)
        #expect(average.parameters.allSatisfy { abs($0 - 1.29) <= 1e-6 })
    }

    @Test func theDecayWarmsUpOverTheFirstSteps() throws {
        let average = ExponentialMovingAverage(decay: 0.99, startingFrom: try model())
        #expect(abs(average.decay(atStep: 1) - 2.0 / 11) < 1e-7)
        #expect(abs(average.decay(atStep: 90) - 91.0 / 100) < 1e-7)
        #expect(average.decay(atStep: 891) == 0.99)
        #expect(average.decay(atStep: 100_000) == 0.99)
    }

    @Test func theAverageIsSwappedInForTheBodyAndTheLiveWeightsPutBack() throws {
        let model = try model()
        let average = ExponentialMovingAverage(decay: 0.5, startingFrom: model)
        let started = Array(model.executor.parameters)
        let state = Array(model.executor.state)
        set(model, to: 0.25)
        average.update(from: model, step: 1000)
        let seen = average.withAveragedParameters(of: model) { Array(model.executor.parameters) }
        #expect(seen == zip(started, started).map { a, _ in 0.5 * a + 0.5 * 0.25 })
        #expect(Array(model.executor.parameters).allSatisfy { $0 == 0.25 })
        // BN running statistics are the live ones throughout.
        #expect(Array(model.executor.state) == state)
        let none: ExponentialMovingAverage? = nil
        #expect(none.withEvaluatedParameters(of: model) { Array(model.executor.parameters) }.allSatisfy { $0 == 0.25 })
    }

    @Test func anAverageOfAnotherLengthIsRefused() throws {
        let average = ExponentialMovingAverage(decay: 0.9, startingFrom: try model())
        #expect(throws: ExponentialMovingAverageError.self) { try average.restore([1, 2, 3]) }
    }
}

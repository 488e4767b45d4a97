import Distributed
import Engine
import Losses
import Networks
import Support
import Testing
@testable import Training

/// `--freeze-backbone`: training steps that leave everything up to the embedding exactly as it
/// was, weights and batch-norm statistics alike, while the classifier learns.
@Suite struct FrozenBackboneTests {
    /// `steps` training steps of `tiny` (CE + BSTriplet, Adam with L2 weight decay, which would
    /// move a parameter with zero gradient) on random images, the backbone frozen or not.
    func train(frozen: Bool, steps: Int = 3) throws -> (before: (parameters: [Float], state: [Float]), after: (parameters: [Float], state: [Float]), model: Model, average: [Float]) {
        let model = try Model(kind: .tiny, imageSize: 32, channels: 1, classes: 2, batchCapacity: 8)
        model.executor.initializeParameters(seed: 5)
        let before = model.snapshot()
        let step = try TrainingStep(
            model: model, communicator: SingleProcessCommunicator(), loss: try LossConfiguration(kind: .crossEntropyPlusBST),
            globalBatch: 8, bucketFloats: 1 << 20)
        let optimizer = Adam(parameterCount: model.parameterCount, learningRate: 0.01, weightDecay: 0.1)
        let average = ExponentialMovingAverage(decay: 0.9, startingFrom: model)
        model.executor.freezesBackbone = frozen
        let learning = frozen ? model.graph.headParameters : 0..<model.parameterCount
        var generator = SplitMix64(seed: 9)
        let labels = [0, 1, 0, 1, 0, 1, 0, 1]
        for index in 0..<steps {
            for pixel in 0..<(8 * 32 * 32) { model.executor.input[pixel] = generator.nextNormal() }
            _ = try step.run(localCount: 8, labels: labels, globalCount: 8, context: RunContext(batch: 8, training: true, step: UInt64(index)))
            optimizer.step(parameters: model.executor.parameters, gradients: model.executor.parameterGradients, updating: learning)
            average.update(from: model, step: optimizer.stepCount, updating: learning)
        }
        return (before, model.snapshot(), model, average.parameters)
    }

    @Test func theBackboneStaysBitIdenticalAndOnlyTheClassifierLearns() throws {
        let (before, after, model, average) = try train(frozen: true)
        let head = model.graph.headParameters
        #expect(!head.isEmpty && head.upperBound == model.parameterCount && head.lowerBound > 0)
        #expect(Array(after.parameters[..<head.lowerBound]) == Array(before.parameters[..<head.lowerBound]))
        #expect(Array(average[..<head.lowerBound]) == Array(before.parameters[..<head.lowerBound]), "the weight average too")
        #expect(after.state == before.state, "batch-norm running statistics of a frozen backbone must not move")
        #expect(Array(after.parameters[head]) != Array(before.parameters[head]))
        // Backward stopped at the embedding: no backbone gradient was formed.
        #expect(model.executor.parameterGradients[..<head.lowerBound].allSatisfy { $0 == 0 })
    }

    @Test func unfrozenTheSameStepsMoveTheBackboneAndItsStatistics() throws {
        let (before, after, model, _) = try train(frozen: false)
        let head = model.graph.headParameters
        #expect(Array(after.parameters[..<head.lowerBound]) != Array(before.parameters[..<head.lowerBound]))
        #expect(after.state != before.state)
    }

    @Test func theHeadIsTheClassifierAfterTheEmbedding() throws {
        let model = try Model(kind: .mobileNetV3Small, imageSize: 32, channels: 1, classes: 3, batchCapacity: 2)
        let headNames = model.graph.parameters.filter { model.graph.isInHead($0) }.map(\.name)
        #expect(headNames == ["classifier.0.weight", "classifier.0.bias", "classifier.3.weight", "classifier.3.bias"])
        #expect(model.graph.headParameters.count == 576 * 1024 + 1024 + 1024 * 3 + 3)
    }
}

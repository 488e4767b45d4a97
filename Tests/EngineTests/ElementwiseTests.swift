import Engine
import Testing

@Suite struct ElementwiseTests {
    static let shape = TensorShape(height: 3, width: 5, channels: 3)

    @Test func addSumsElementwise() {
        let harness = OperationHarness(Add(shape: Self.shape), batch: 2)
        harness.forward(RunContext(batch: 2, training: true))
        #expect(harness.output == zip(harness.inputs[0], harness.inputs[1]).map { $0 + $1 })
    }

    @Test func channelScaleMultipliesEveryPositionBySampleChannelScale() {
        let harness = OperationHarness(ChannelScale(inputShape: Self.shape), batch: 2)
        harness.forward(RunContext(batch: 2, training: true))
        let positions = Self.shape.height * Self.shape.width
        let expected = harness.inputs[0].indices.map { index in
            harness.inputs[0][index] * harness.inputs[1][index / (positions * 3) * 3 + index % 3]
        }
        #expect(harness.output == expected)
    }

    static var operations: [any Operation] { [Add(shape: shape), ChannelScale(inputShape: shape)] }

    @Test func backwardMatchesFiniteDifferences() {
        // For ChannelScale, both the feature map's and the gate's gradient.
        for operation in Self.operations { expectGradientsMatchFiniteDifferences(operation) }
    }

    @Test func backwardAddsIntoExistingGradients() {
        for operation in Self.operations { expectBackwardAccumulates(operation) }
    }

    @Test func backwardOverwritesWhenFirstToWrite() {
        for operation in Self.operations { expectBackwardOverwrites(operation) }
    }

    @Test func computesOnlyTheContextBatch() {
        for operation in Self.operations { expectOnlyContextBatchIsComputed(operation) }
    }

    @Test func allocatesNothing() {
        for operation in Self.operations { expectNoHeapAllocation(operation) }
    }

    @Test func threadCountDoesNotChangeResults() {
        // Large enough for the loops to split across threads.
        expectThreadCountDoesNotChangeResults(ChannelScale(inputShape: TensorShape(height: 64, width: 64, channels: 8)))
    }
}

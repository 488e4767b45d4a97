import Engine
import Testing

@Suite struct ChannelOperationsTests {
    static let concatenated = [
        TensorShape(height: 3, width: 1, channels: 2),
        TensorShape(height: 3, width: 1, channels: 3),
        TensorShape(height: 3, width: 1, channels: 1),
    ]
    static let shape = TensorShape(height: 1, width: 3, channels: 6)

    @Test func concatenatePlacesInputsSideBySideAlongChannels() {
        let harness = OperationHarness(Concatenate(inputShapes: Self.concatenated), batch: 2)
        harness.forward(RunContext(batch: 2, training: true))
        var expected: [Float] = []
        for row in 0..<6 {
            for (input, shape) in zip(harness.inputs, Self.concatenated) {
                expected += input[row * shape.channels..<(row + 1) * shape.channels]
            }
        }
        #expect(harness.output == expected)
    }

    @Test func channelSliceTakesItsRange() {
        let harness = OperationHarness(ChannelSlice(inputShape: Self.shape, range: 2..<5), batch: 2)
        harness.forward(RunContext(batch: 2, training: true))
        let expected = (0..<6).flatMap { row in harness.inputs[0][row * 6 + 2..<row * 6 + 5] }
        #expect(harness.output == expected)
    }

    @Test(arguments: [
        (2, [0, 3, 1, 4, 2, 5]),   // torchvision's channel_shuffle, 2 groups of 3
        (3, [0, 2, 4, 1, 3, 5]),   // 3 groups of 2
        (1, [0, 1, 2, 3, 4, 5]),
    ])
    func channelShuffleTransposesGroups(groups: Int, sourceOfOutputChannel: [Int]) {
        let harness = OperationHarness(ChannelShuffle(inputShape: Self.shape, groups: groups), batch: 2)
        harness.forward(RunContext(batch: 2, training: true))
        let expected = (0..<6).flatMap { row in sourceOfOutputChannel.map { harness.inputs[0][row * 6 + $0] } }
        #expect(harness.output == expected)
    }

    static var operations: [any Operation] {
        [
            Concatenate(inputShapes: concatenated),
            ChannelSlice(inputShape: shape, range: 1..<4),
            ChannelShuffle(inputShape: shape, groups: 2),
            ChannelShuffle(inputShape: shape, groups: 3),
            // Groups of six: the two-group shuffle's vector loop, then its scalar tail.
            ChannelShuffle(inputShape: TensorShape(height: 1, width: 3, channels: 12), groups: 2),
            ChannelShuffle(concatenating: [TensorShape(height: 1, width: 3, channels: 6), TensorShape(height: 1, width: 3, channels: 6)], groups: 2),
            ChannelShuffle(concatenating: [shape, shape, shape], groups: 3),
        ]
    }

    @Test(arguments: [2, 3])
    func shuffleOfPartsEqualsConcatenationThenShuffle(groups: Int) {
        let part = TensorShape(height: 2, width: 3, channels: 10)
        let parts = [TensorShape](repeating: part, count: groups)
        let fused = OperationHarness(ChannelShuffle(concatenating: parts, groups: groups), batch: 2)
        let concatenation = OperationHarness(Concatenate(inputShapes: parts), batch: 2)
        concatenation.inputs = fused.inputs
        let context = RunContext(batch: 2, training: true)
        concatenation.forward(context)
        let shuffle = OperationHarness(
            ChannelShuffle(inputShape: TensorShape(height: 2, width: 3, channels: 10 * groups), groups: groups), batch: 2)
        shuffle.inputs = [concatenation.output]
        shuffle.outputGradient = fused.outputGradient
        shuffle.forward(context)
        shuffle.backward(context)
        concatenation.outputGradient = shuffle.inputGradients[0]
        concatenation.backward(context)
        fused.forward(context)
        fused.backward(context)
        #expect(fused.output == shuffle.output)
        #expect(fused.inputGradients == concatenation.inputGradients)
    }

    @Test func backwardMatchesFiniteDifferences() {
        for operation in Self.operations { expectGradientsMatchFiniteDifferences(operation) }
    }

    @Test func backwardAddsIntoExistingGradients() {
        for operation in Self.operations { expectBackwardAccumulates(operation) }
    }

    @Test func backwardOverwritesWhenFirstToWrite() {
        for operation in Self.operations { expectBackwardOverwrites(operation) }
    }

    @Test func allocatesNothing() {
        for operation in Self.operations { expectNoHeapAllocation(operation) }
    }

    @Test func computesOnlyTheContextBatch() {
        for operation in Self.operations { expectOnlyContextBatchIsComputed(operation) }
    }
}

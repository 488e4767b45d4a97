import Engine
import Testing

@Suite struct PoolingTests {
    /// 11 channels run both the vector lanes and the scalar remainder.
    static let shape = TensorShape(height: 7, width: 5, channels: 11)
    /// Large enough for the loops to split across threads.
    static let largeShape = TensorShape(height: 64, width: 64, channels: 8)

    // MARK: Max pooling

    @Test func maxPoolTakesTheWindowMaximumAndPaddingNeverWins() {
        let pool = MaxPool(inputShape: Self.shape, kernelSize: 3, stride: 2, padding: 1)
        let harness = OperationHarness(pool, batch: 2)
        // All inputs negative: a padded cell counted as 0 would win every border window.
        harness.inputs[0] = harness.inputs[0].map { -abs($0) - 0.1 }
        harness.forward(RunContext(batch: 2, training: true))
        let expected = windowReduction(harness.inputs[0], kernel: 3, stride: 2, padding: 1) { $0.max()! }
        #expect(harness.output == expected)
    }

    @Test(arguments: [(3, 2, 1), (2, 2, 0), (3, 1, 1)])
    func maxPoolBackwardMatchesFiniteDifferences(kernel: Int, stride: Int, padding: Int) {
        // A small step keeps the perturbed input from overtaking a window's runner-up.
        expectGradientsMatchFiniteDifferences(
            MaxPool(inputShape: Self.shape, kernelSize: kernel, stride: stride, padding: padding), step: 1e-4)
    }

    @Test func maxPoolBackwardAddsIntoExistingGradients() {
        expectBackwardAccumulates(MaxPool(inputShape: Self.shape, kernelSize: 3, stride: 2, padding: 1))
    }

    /// Windows overlap and some pixels win none: the winners' gradients are added.
    @Test func maxPoolBackwardOnlyAccumulates() {
        expectBackwardOnlyAccumulates(MaxPool(inputShape: Self.shape, kernelSize: 3, stride: 2, padding: 1))
    }

    @Test func maxPoolComputesOnlyTheContextBatch() {
        expectOnlyContextBatchIsComputed(MaxPool(inputShape: Self.shape, kernelSize: 3, stride: 2, padding: 1))
    }

    @Test func maxPoolThreadCountDoesNotChangeResults() {
        expectThreadCountDoesNotChangeResults(MaxPool(inputShape: Self.largeShape, kernelSize: 3, stride: 2, padding: 1))
    }

    @Test func maxPoolAllocatesNothing() {
        expectNoHeapAllocation(MaxPool(inputShape: Self.shape, kernelSize: 3, stride: 2, padding: 1))
    }

    // MARK: Average pooling

    @Test func averagePoolCountsPaddedCellsInTheDivisor() {
        let pool = AveragePool(inputShape: Self.shape, kernelSize: 3, stride: 2, padding: 1)
        let harness = OperationHarness(pool, batch: 2)
        harness.forward(RunContext(batch: 2, training: true))
        let expected = windowReduction(harness.inputs[0], kernel: 3, stride: 2, padding: 1) {
            $0.reduce(0, +) / 9
        }
        #expect(largestRelativeDifference(harness.output, expected) <= 1e-6)
    }

    @Test(arguments: [(3, 2, 1), (2, 2, 0), (3, 1, 1)])
    func averagePoolBackwardMatchesFiniteDifferences(kernel: Int, stride: Int, padding: Int) {
        expectGradientsMatchFiniteDifferences(
            AveragePool(inputShape: Self.shape, kernelSize: kernel, stride: stride, padding: padding))
    }

    @Test func averagePoolBackwardAddsIntoExistingGradients() {
        expectBackwardAccumulates(AveragePool(inputShape: Self.shape, kernelSize: 2, stride: 2))
    }

    @Test func averagePoolBackwardOnlyAccumulates() {
        // Windows that do not overlap and leave the last row and column out; overlapping padded ones.
        expectBackwardOnlyAccumulates(AveragePool(inputShape: Self.shape, kernelSize: 2, stride: 2))
        expectBackwardOnlyAccumulates(AveragePool(inputShape: Self.shape, kernelSize: 3, stride: 2, padding: 1))
    }

    @Test func averagePoolComputesOnlyTheContextBatch() {
        expectOnlyContextBatchIsComputed(AveragePool(inputShape: Self.shape, kernelSize: 3, stride: 2, padding: 1))
    }

    @Test func averagePoolThreadCountDoesNotChangeResults() {
        expectThreadCountDoesNotChangeResults(AveragePool(inputShape: Self.largeShape, kernelSize: 3, stride: 2, padding: 1))
    }

    @Test func averagePoolAllocatesNothing() {
        expectNoHeapAllocation(AveragePool(inputShape: Self.shape, kernelSize: 3, stride: 2, padding: 1))
    }

    // MARK: Global average pooling

    @Test func globalAveragePoolIsTheMeanOverPixels() {
        let harness = OperationHarness(GlobalAveragePool(inputShape: Self.shape), batch: 2)
        harness.forward(RunContext(batch: 2, training: true))
        let expected = windowReduction(harness.inputs[0], kernel: 7, stride: 1, padding: 0, width: 5) {
            $0.reduce(0, +) / 35
        }
        #expect(largestRelativeDifference(harness.output, expected) <= 1e-6)
    }

    @Test func globalAveragePoolBackwardMatchesFiniteDifferences() {
        expectGradientsMatchFiniteDifferences(GlobalAveragePool(inputShape: Self.shape))
    }

    @Test func globalAveragePoolBackwardAddsIntoExistingGradients() {
        expectBackwardAccumulates(GlobalAveragePool(inputShape: Self.shape))
    }

    @Test func globalAveragePoolBackwardOverwritesWhenFirstToWrite() {
        expectBackwardOverwrites(GlobalAveragePool(inputShape: Self.shape))
    }

    @Test func globalAveragePoolThreadCountDoesNotChangeResults() {
        expectThreadCountDoesNotChangeResults(GlobalAveragePool(inputShape: Self.largeShape))
    }

    @Test func globalAveragePoolComputesOnlyTheContextBatch() {
        expectOnlyContextBatchIsComputed(GlobalAveragePool(inputShape: Self.shape))
    }

    @Test func globalAveragePoolAllocatesNothing() {
        expectNoHeapAllocation(GlobalAveragePool(inputShape: Self.shape))
    }

    /// `reduce` over the in-image cells of each k x k window (PoolingTests.shape, batch 2).
    /// A window `width` wide overrides the square kernel's width.
    private func windowReduction(
        _ input: [Float], kernel: Int, stride: Int, padding: Int, width windowWidth: Int? = nil,
        _ reduce: ([Float]) -> Float
    ) -> [Float] {
        let (height, width, channels) = (Self.shape.height, Self.shape.width, Self.shape.channels)
        let kernelWidth = windowWidth ?? kernel
        let outputHeight = (height + 2 * padding - kernel) / stride + 1
        let outputWidth = (width + 2 * padding - kernelWidth) / stride + 1
        var output: [Float] = []
        for sample in 0..<2 {
            for oy in 0..<outputHeight {
                for ox in 0..<outputWidth {
                    for channel in 0..<channels {
                        var cells: [Float] = []
                        for y in oy * stride - padding..<oy * stride - padding + kernel where (0..<height).contains(y) {
                            for x in ox * stride - padding..<ox * stride - padding + kernelWidth where (0..<width).contains(x) {
                                cells.append(input[((sample * height + y) * width + x) * channels + channel])
                            }
                        }
                        output.append(reduce(cells))
                    }
                }
            }
        }
        return output
    }
}

import Engine
import Testing

/// One depthwise configuration. Channel counts of 5, 9 and 11 run both the vector lanes and the
/// scalar remainder; widths of 13 and more give rows with several four-pixel groups; odd
/// padding or width with stride 2 starts or ends rows with part of a column group in backward;
/// 6 rows under a 3x3 stride-2 window without padding leave the last row uncovered; the
/// 7x7, 2x2 and stride-3 windows, which have no unrolled backward kernel, take the general
/// one; and the last two inputs are smaller than a 5x5 window's reach, as at the end of
/// MobileNet-V3 on small images.
struct DepthwiseCase: Sendable, CustomTestStringConvertible {
    var input: TensorShape
    var kernelSize: Int
    var stride: Int
    var padding: Int
    var bias = false

    func makeOperation() -> DepthwiseConvolution {
        DepthwiseConvolution(inputShape: input, kernelSize: kernelSize, stride: stride, padding: padding, bias: bias)
    }

    var testDescription: String { "\(input) k\(kernelSize) s\(stride) p\(padding)\(bias ? " bias" : "")" }
}

@Suite struct DepthwiseConvolutionTests {
    static let cases: [DepthwiseCase] = [
        DepthwiseCase(input: TensorShape(height: 7, width: 5, channels: 5), kernelSize: 3, stride: 1, padding: 1, bias: true),
        DepthwiseCase(input: TensorShape(height: 7, width: 5, channels: 5), kernelSize: 3, stride: 2, padding: 1),
        DepthwiseCase(input: TensorShape(height: 6, width: 7, channels: 3), kernelSize: 5, stride: 1, padding: 2),
        DepthwiseCase(input: TensorShape(height: 7, width: 6, channels: 4), kernelSize: 5, stride: 2, padding: 2, bias: true),
        DepthwiseCase(input: TensorShape(height: 5, width: 7, channels: 3), kernelSize: 3, stride: 2, padding: 0),
        DepthwiseCase(input: TensorShape(height: 4, width: 5, channels: 2), kernelSize: 3, stride: 1, padding: 2),
        DepthwiseCase(input: TensorShape(height: 4, width: 13, channels: 9), kernelSize: 3, stride: 1, padding: 1, bias: true),
        DepthwiseCase(input: TensorShape(height: 5, width: 15, channels: 11), kernelSize: 5, stride: 2, padding: 2),
        DepthwiseCase(input: TensorShape(height: 3, width: 13, channels: 8), kernelSize: 3, stride: 2, padding: 0),
        DepthwiseCase(input: TensorShape(height: 4, width: 18, channels: 9), kernelSize: 3, stride: 1, padding: 1, bias: true),
        DepthwiseCase(input: TensorShape(height: 5, width: 33, channels: 11), kernelSize: 5, stride: 2, padding: 2),
        DepthwiseCase(input: TensorShape(height: 6, width: 6, channels: 6), kernelSize: 3, stride: 2, padding: 0, bias: true),
        DepthwiseCase(input: TensorShape(height: 7, width: 9, channels: 5), kernelSize: 7, stride: 1, padding: 3),
        DepthwiseCase(input: TensorShape(height: 9, width: 10, channels: 4), kernelSize: 2, stride: 2, padding: 0, bias: true),
        DepthwiseCase(input: TensorShape(height: 8, width: 8, channels: 7), kernelSize: 3, stride: 3, padding: 1),
        DepthwiseCase(input: TensorShape(height: 2, width: 3, channels: 4), kernelSize: 5, stride: 1, padding: 2, bias: true),
        DepthwiseCase(input: TensorShape(height: 2, width: 2, channels: 8), kernelSize: 5, stride: 2, padding: 2),
    ]

    @Test(arguments: cases)
    func forwardMatchesSevenLoopReference(_ configuration: DepthwiseCase) {
        let depthwise = configuration.makeOperation()
        let harness = OperationHarness(depthwise, batch: 2)
        harness.forward(RunContext(batch: 2, training: true))
        let channels = configuration.input.channels
        let weightCount = depthwise.parameterSpecs[0].elementCount
        let expected = naiveConvolution(
            input: harness.inputs[0], batch: 2, inputShape: configuration.input,
            weight: Array(harness.parameters[..<weightCount]),
            bias: configuration.bias ? Array(harness.parameters[weightCount...]) : nil,
            outputChannels: channels, kernelSize: configuration.kernelSize,
            stride: configuration.stride, padding: configuration.padding, groups: channels)
        #expect(largestRelativeDifference(harness.output, expected) <= 1e-5)
    }

    @Test(arguments: cases)
    func backwardMatchesFiniteDifferences(_ configuration: DepthwiseCase) {
        expectGradientsMatchFiniteDifferences(configuration.makeOperation())
    }

    @Test func backwardAddsIntoExistingGradients() {
        expectBackwardAccumulates(Self.cases[0].makeOperation())
    }

    /// Overwriting is decided per input row (the first kernel row to reach it writes over it),
    /// so the cases cover both strides, partial column groups and the general kernel.
    @Test(arguments: [cases[0], cases[1], cases[3], cases[7], cases[12], cases[15], cases[16]])
    func backwardOverwritesWhenAsked(_ configuration: DepthwiseCase) {
        expectBackwardOverwrites(configuration.makeOperation())
    }

    /// A row no window covers has a zero gradient that no pass writes: such a window only adds,
    /// and the executor zeroes the gradient first.
    @Test func backwardOnlyAccumulatesWhenARowIsUncovered() {
        expectBackwardOnlyAccumulates(Self.cases[11].makeOperation())
    }

    @Test(arguments: [cases[0], cases[7], cases[10]])
    func computesOnlyTheContextBatch(_ configuration: DepthwiseCase) {
        expectOnlyContextBatchIsComputed(configuration.makeOperation())
    }

    @Test(arguments: [cases[0], cases[6], cases[9], cases[12]])
    func allocatesNothing(_ configuration: DepthwiseCase) {
        expectNoHeapAllocation(configuration.makeOperation())
    }

    @Test(arguments: [1, 2])
    func threadCountDoesNotChangeResults(stride: Int) {
        // Large enough for rows and samples to split across threads.
        expectThreadCountDoesNotChangeResults(DepthwiseConvolution(
            inputShape: TensorShape(height: 24, width: 24, channels: 20), kernelSize: 3, stride: stride,
            padding: 1, bias: true))
    }

    /// A depthwise convolution is a grouped convolution with groups = channels; both kernels
    /// share the weight layout, so either may run on the same checkpoint.
    @Test func agreesWithGroupedConvolution() {
        let shape = TensorShape(height: 6, width: 5, channels: 4)
        let depthwise = OperationHarness(DepthwiseConvolution(inputShape: shape, kernelSize: 3, stride: 2, padding: 1, bias: true), batch: 2)
        let grouped = OperationHarness(Convolution(inputShape: shape, outputChannels: 4, kernelSize: 3, stride: 2,
                                                   padding: 1, groups: 4, bias: true), batch: 2)
        grouped.inputs = depthwise.inputs
        grouped.parameters = depthwise.parameters
        grouped.outputGradient = depthwise.outputGradient
        for harness in [depthwise, grouped] {
            harness.forward(RunContext(batch: 2, training: true))
            harness.backward(RunContext(batch: 2, training: true))
        }
        #expect(largestRelativeDifference(depthwise.output, grouped.output) <= 1e-5)
        #expect(largestRelativeDifference(depthwise.inputGradients[0], grouped.inputGradients[0]) <= 1e-5)
        #expect(largestRelativeDifference(depthwise.parameterGradients, grouped.parameterGradients) <= 1e-5)
    }
}

import Engine
import Foundation
import Testing

/// One convolution configuration; odd, non-square sizes so rows and columns cannot be swapped unnoticed.
struct ConvolutionCase: Sendable, CustomTestStringConvertible {
    var input: TensorShape
    var outputChannels: Int
    var kernelSize: Int
    var stride: Int
    var padding: Int
    var groups = 1
    var bias = false

    func makeOperation() -> Convolution {
        Convolution(inputShape: input, outputChannels: outputChannels, kernelSize: kernelSize,
                    stride: stride, padding: padding, groups: groups, bias: bias)
    }

    var testDescription: String {
        "\(input) -> \(outputChannels), k\(kernelSize) s\(stride) p\(padding) g\(groups)\(bias ? " bias" : "")"
    }
}

@Suite struct ConvolutionTests {
    static let cases: [ConvolutionCase] = [
        ConvolutionCase(input: TensorShape(height: 7, width: 5, channels: 3), outputChannels: 4,
                        kernelSize: 3, stride: 1, padding: 1, bias: true),
        ConvolutionCase(input: TensorShape(height: 7, width: 5, channels: 4), outputChannels: 6,
                        kernelSize: 3, stride: 2, padding: 1, groups: 2),
        ConvolutionCase(input: TensorShape(height: 6, width: 7, channels: 2), outputChannels: 3,
                        kernelSize: 5, stride: 2, padding: 2, bias: true),
        ConvolutionCase(input: TensorShape(height: 5, width: 6, channels: 2), outputChannels: 3,
                        kernelSize: 3, stride: 1, padding: 0),
        ConvolutionCase(input: TensorShape(height: 8, width: 7, channels: 1), outputChannels: 4,
                        kernelSize: 3, stride: 2, padding: 1),
        ConvolutionCase(input: TensorShape(height: 5, width: 3, channels: 6), outputChannels: 4,
                        kernelSize: 1, stride: 1, padding: 0, bias: true),
        ConvolutionCase(input: TensorShape(height: 3, width: 5, channels: 4), outputChannels: 6,
                        kernelSize: 1, stride: 1, padding: 0, groups: 2),
        ConvolutionCase(input: TensorShape(height: 7, width: 5, channels: 4), outputChannels: 2,
                        kernelSize: 1, stride: 2, padding: 0, bias: true),
        // Cells of 10 and 9 channels: im2col copies a vector and a scalar remainder per cell.
        ConvolutionCase(input: TensorShape(height: 5, width: 6, channels: 10), outputChannels: 3,
                        kernelSize: 3, stride: 1, padding: 1),
        ConvolutionCase(input: TensorShape(height: 5, width: 4, channels: 18), outputChannels: 4,
                        kernelSize: 3, stride: 2, padding: 1, groups: 2, bias: true),
    ]

    @Test(arguments: cases)
    func forwardMatchesSevenLoopReference(_ configuration: ConvolutionCase) {
        let convolution = configuration.makeOperation()
        let harness = OperationHarness(convolution, batch: 2)
        harness.forward(RunContext(batch: 2, training: true))
        let weightCount = convolution.parameterSpecs[0].elementCount
        let expected = naiveConvolution(
            input: harness.inputs[0], batch: 2, inputShape: configuration.input,
            weight: Array(harness.parameters[..<weightCount]),
            bias: configuration.bias ? Array(harness.parameters[weightCount...]) : nil,
            outputChannels: configuration.outputChannels, kernelSize: configuration.kernelSize,
            stride: configuration.stride, padding: configuration.padding, groups: configuration.groups)
        #expect(largestRelativeDifference(harness.output, expected) <= 1e-5)
    }

    @Test(arguments: cases)
    func backwardMatchesFiniteDifferences(_ configuration: ConvolutionCase) {
        expectGradientsMatchFiniteDifferences(configuration.makeOperation())
    }

    @Test(arguments: [cases[1], cases[5]])
    func backwardAddsIntoExistingGradients(_ configuration: ConvolutionCase) {
        expectBackwardAccumulates(configuration.makeOperation())
    }

    /// A pointwise convolution overwrites through SGEMM's beta; larger windows scatter their
    /// patches with adds.
    @Test(arguments: cases)
    func backwardOverwritesOnlyWhenPointwise(_ configuration: ConvolutionCase) {
        let convolution = configuration.makeOperation()
        if configuration.kernelSize == 1 && configuration.stride == 1 && configuration.padding == 0 {
            expectBackwardOverwrites(convolution)
        } else {
            expectBackwardOnlyAccumulates(convolution)
        }
    }

    @Test(arguments: [cases[0], cases[6]])
    func computesOnlyTheContextBatch(_ configuration: ConvolutionCase) {
        expectOnlyContextBatchIsComputed(configuration.makeOperation())
    }

    @Test func threadCountDoesNotChangeResults() {
        // Large enough for im2col and col2im to split across threads.
        expectThreadCountDoesNotChangeResults(Convolution(
            inputShape: TensorShape(height: 16, width: 12, channels: 4), outputChannels: 6, kernelSize: 3,
            stride: 1, padding: 1, groups: 2, bias: true))
    }

    @Test(arguments: [cases[1], cases[5]])
    func allocatesNothing(_ configuration: ConvolutionCase) {
        expectNoHeapAllocation(configuration.makeOperation())
    }

    @Test(arguments: [cases[0], cases[5]])
    func imageInputNeedsNoInputGradient(_ configuration: ConvolutionCase) {
        let convolution = configuration.makeOperation()
        let withInputGradient = OperationHarness(convolution, batch: 2)
        let withoutInputGradient = OperationHarness(convolution, batch: 2)
        let context = RunContext(batch: 2, training: true)
        withInputGradient.forward(context)
        withInputGradient.backward(context)
        withoutInputGradient.needsInputGradients = false
        withoutInputGradient.forward(context)
        withoutInputGradient.backward(context)
        #expect(withoutInputGradient.parameterGradients == withInputGradient.parameterGradients)
    }

    /// Batches larger than one im2col chunk are processed chunk by chunk; the result must be
    /// that of each sample on its own: outputs and input gradients side by side, parameter
    /// gradients summed.
    @Test func chunkedBatchEqualsSamplesOneByOne() {
        let convolution = ConvolutionCase(input: TensorShape(height: 40, width: 40, channels: 8), outputChannels: 2,
                                          kernelSize: 3, stride: 1, padding: 1, bias: true).makeOperation()
        let batch = 3
        // The workspace holds one chunk's patches per thread it is planned for (up to the cores).
        let threadsPlanned = min(batch, ProcessInfo.processInfo.activeProcessorCount)
        #expect(convolution.workspaceCount(batch: batch) / threadsPlanned < batch * 40 * 40 * 9 * 8,
                "the batch should span chunks")
        let whole = OperationHarness(convolution, batch: batch)
        whole.forward(RunContext(batch: batch, training: true))
        whole.backward(RunContext(batch: batch, training: true))

        var outputs: [Float] = [], inputGradients: [Float] = []
        var parameterGradients = [Float](repeating: 0, count: whole.parameters.count)
        let inputCount = whole.inputs[0].count / batch, outputCount = whole.output.count / batch
        for sample in 0..<batch {
            let single = OperationHarness(convolution, batch: 1)
            single.inputs[0] = Array(whole.inputs[0][sample * inputCount..<(sample + 1) * inputCount])
            single.outputGradient = Array(whole.outputGradient[sample * outputCount..<(sample + 1) * outputCount])
            single.parameters = whole.parameters
            single.forward(RunContext(batch: 1, training: true))
            single.backward(RunContext(batch: 1, training: true))
            outputs += single.output
            inputGradients += single.inputGradients[0]
            for index in parameterGradients.indices { parameterGradients[index] += single.parameterGradients[index] }
        }
        #expect(largestRelativeDifference(whole.output, outputs) <= 1e-5)
        #expect(largestRelativeDifference(whole.inputGradients[0], inputGradients) <= 1e-5)
        #expect(largestRelativeDifference(whole.parameterGradients, parameterGradients) <= 1e-4)
    }
}

import Engine
import Testing

/// Batch normalisation with a fused activation must compute exactly what the two operations
/// compute one after the other.
@Suite struct BatchNormActivationTests {
    // 150 channels: 18 vectors and 6 leftover channels a row; the 2 x 7 x 5 = 70 rows split
    // unevenly over the 16 row blocks of the statistics.
    static let shape = TensorShape(height: 7, width: 5, channels: 150)
    static let small = TensorShape(height: 3, width: 5, channels: 3)
    static let fusedFunctions: [ActivationFunction] = [.relu, .relu6, .hardSwish, .silu]

    /// Outputs and gradients of BN then the activation, run as two operations.
    static func separate(_ function: ActivationFunction, training: Bool, threads: Int)
        -> (output: [Float], inputGradient: [Float], parameterGradients: [Float]) {
        let normalization = OperationHarness(BatchNorm(inputShape: shape), batch: 2)
        let activation = OperationHarness(Activation(inputShape: shape, function: function), batch: 2)
        let context = RunContext(batch: 2, training: training, threads: threads)
        normalization.forward(context)
        activation.inputs[0] = normalization.output
        activation.forward(context)
        activation.outputGradient = normalization.outputGradient
        activation.backward(context)
        normalization.outputGradient = activation.inputGradients[0]
        normalization.backward(context)
        return (activation.output, normalization.inputGradients[0], normalization.parameterGradients)
    }

    @Test(arguments: fusedFunctions, [true, false])
    func fusedMatchesBatchNormThenActivation(function: ActivationFunction, training: Bool) {
        for threads in [1, 3] {
            let expected = Self.separate(function, training: training, threads: threads)
            // Same seed, same shapes: the same inputs, parameters and output gradient.
            let fused = OperationHarness(BatchNorm(inputShape: Self.shape, activation: function), batch: 2)
            let context = RunContext(batch: 2, training: training, threads: threads)
            fused.forward(context)
            fused.backward(context)
            #expect(largestRelativeDifference(fused.output, expected.output) <= 1e-6, "\(function) output")
            #expect(largestRelativeDifference(fused.inputGradients[0], expected.inputGradient) <= 1e-5,
                    "\(function) input gradient")
            #expect(largestRelativeDifference(fused.parameterGradients, expected.parameterGradients) <= 1e-5,
                    "\(function) parameter gradients")
        }
    }

    @Test(arguments: fusedFunctions)
    func backwardMatchesFiniteDifferences(function: ActivationFunction) {
        // A small step keeps every value on one side of a kink.
        expectGradientsMatchFiniteDifferences(
            BatchNorm(inputShape: Self.small, activation: function), batch: 2, step: 1e-3)
    }

    @Test(arguments: fusedFunctions)
    func meetsTheOperationContracts(function: ActivationFunction) {
        let make = { BatchNorm(inputShape: Self.small, activation: function) }
        expectBackwardAccumulates(make())
        expectBackwardOverwrites(make())
        expectOnlyContextBatchIsComputed(make())
        expectNoHeapAllocation(make())
        expectThreadCountDoesNotChangeResults(BatchNorm(inputShape: Self.shape, activation: function))
    }
}

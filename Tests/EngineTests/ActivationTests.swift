import Engine
import Foundation
import Testing

@Suite struct ActivationTests {
    static let shape = TensorShape(height: 3, width: 1, channels: 5)

    /// The activation's outputs and input gradients (for dy = 1) at `points`.
    static func evaluate(_ function: ActivationFunction, at points: [Float]) -> (values: [Float], derivatives: [Float]) {
        let harness = OperationHarness(Activation(inputShape: .vector(points.count), function: function), batch: 1)
        harness.inputs[0] = points
        harness.outputGradient = [Float](repeating: 1, count: points.count)
        let context = RunContext(batch: 1, training: true)
        harness.forward(context)
        harness.backward(context)
        return (harness.output, harness.inputGradients[0])
    }

    static func expectClose(_ actual: [Float], _ expected: [Float], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(largestRelativeDifference(actual, expected) <= 1e-6, "\(actual) vs \(expected)", sourceLocation: sourceLocation)
    }

    @Test func reluZeroesNegativesAndHasZeroDerivativeAtZero() {
        let (values, derivatives) = Self.evaluate(.relu, at: [-2, 0, 0.5])
        Self.expectClose(values, [0, 0, 0.5])
        Self.expectClose(derivatives, [0, 0, 1])
    }

    @Test func relu6ClampsToZeroSixAndPassesGradientOnlyInsideTheOpenInterval() {
        let (values, derivatives) = Self.evaluate(.relu6, at: [-1, 0, 3, 6, 7])
        Self.expectClose(values, [0, 0, 3, 6, 6])
        Self.expectClose(derivatives, [0, 0, 1, 0, 0])
    }

    @Test func hardSwishMatchesPyTorchIncludingItsKinks() {
        let (values, derivatives) = Self.evaluate(.hardSwish, at: [-4, -3, 0, 1, 3, 4])
        Self.expectClose(values, [0, 0, 0, 4.0 / 6, 3, 4])
        // (2x + 3)/6 on the closed interval [-3, 3], 0 below, 1 above.
        Self.expectClose(derivatives, [0, -0.5, 0.5, 5.0 / 6, 1.5, 1])
    }

    @Test func hardSigmoidIsClampedLineWithGradientOnlyInsideTheOpenInterval() {
        let (values, derivatives) = Self.evaluate(.hardSigmoid, at: [-4, -3, 0, 1.5, 3, 4])
        Self.expectClose(values, [0, 0, 0.5, 0.75, 1, 1])
        Self.expectClose(derivatives, [0, 0, 1.0 / 6, 1.0 / 6, 0, 0])
    }

    @Test func siluIsInputTimesSigmoid() {
        let (values, derivatives) = Self.evaluate(.silu, at: [-1, 0, 1, -100])
        Self.expectClose(values, [-0.268_941_42, 0, 0.731_058_6, 0])
        // σ(x)(1 + x(1 - σ(x))): σ(1) = 0.7310586.
        Self.expectClose(derivatives, [0.072_329_488, 0.5, 0.927_670_51, 0])
    }

    @Test func sigmoidAtKnownPoints() {
        let (values, derivatives) = Self.evaluate(.sigmoid, at: [0, 2, -100])
        Self.expectClose(values, [0.5, 0.880_797_1, 0])
        Self.expectClose(derivatives, [0.25, 0.104_993_59, 0])
    }

    @Test func siluAndSigmoidAreAccurateAcrossTheRange() {
        let points = stride(from: Float(-80), through: 80, by: 0.37).map { $0 }
        let sigmoid = Self.evaluate(.sigmoid, at: points).values
        let silu = Self.evaluate(.silu, at: points).values
        for (index, x) in points.enumerated() {
            let expected = 1 / (1 + exp(-Double(x)))
            #expect(abs(Double(sigmoid[index]) - expected) <= 1e-6 * expected, "sigmoid(\(x))")
            #expect(abs(Double(silu[index]) - Double(x) * expected) <= 1e-6 * abs(Double(x)) * expected, "silu(\(x))")
        }
        // Saturation, without overflow to infinity or NaN.
        let sigmoidEnds = Self.evaluate(.sigmoid, at: [-1000, 1000]).values
        #expect(sigmoidEnds[0] >= 0 && sigmoidEnds[0] < 1e-37 && sigmoidEnds[1] == 1)
        let siluEnds = Self.evaluate(.silu, at: [-1000, 1000]).values
        #expect(abs(siluEnds[0]) < 1e-34 && siluEnds[1] == 1000)
    }

    @Test(arguments: ActivationFunction.allCases)
    func backwardMatchesFiniteDifferences(function: ActivationFunction) {
        // A small step keeps every random input on one side of a kink.
        expectGradientsMatchFiniteDifferences(Activation(inputShape: Self.shape, function: function), step: 1e-3)
    }

    @Test(arguments: ActivationFunction.allCases)
    func backwardAddsOrOverwritesAsTold(function: ActivationFunction) {
        expectBackwardAccumulates(Activation(inputShape: Self.shape, function: function))
        expectBackwardOverwrites(Activation(inputShape: Self.shape, function: function))
    }

    @Test(arguments: ActivationFunction.allCases)
    func allocatesNothing(function: ActivationFunction) {
        expectNoHeapAllocation(Activation(inputShape: Self.shape, function: function))
    }

    @Test func threadCountDoesNotChangeResults() {
        // Large enough for the loop to split across threads.
        expectThreadCountDoesNotChangeResults(Activation(inputShape: TensorShape(height: 64, width: 64, channels: 8), function: .silu))
    }

    @Test func computesOnlyTheContextBatch() {
        expectOnlyContextBatchIsComputed(Activation(inputShape: Self.shape, function: .hardSwish))
    }
}

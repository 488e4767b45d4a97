import Engine
import Testing

@Suite struct DropoutTests {
    static let shape = TensorShape(height: 2, width: 3, channels: 5)

    static func output(_ dropout: Dropout, inputs: [Float], _ context: RunContext) -> [Float] {
        let harness = OperationHarness(dropout, batch: context.batch)
        harness.inputs[0] = inputs
        harness.forward(context)
        return harness.output
    }

    @Test func masksDependOnSeedStepAndGlobalSampleIndexOnly() {
        let dropout = Dropout(inputShape: Self.shape, probability: 0.5)
        let count = Self.shape.elementCount
        let inputs = [Float](repeating: 1, count: 4 * count)
        let whole = Self.output(dropout, inputs: inputs, RunContext(batch: 4, training: true, seed: 9, step: 2))
        #expect(whole == Self.output(dropout, inputs: inputs, RunContext(batch: 4, training: true, seed: 9, step: 2)))
        // The second half of the batch, as another rank would hold it.
        let half = Self.output(dropout, inputs: Array(inputs[(2 * count)...]),
                               RunContext(batch: 2, training: true, seed: 9, step: 2, firstGlobalSample: 2))
        #expect(half == Array(whole[(2 * count)...]))
        #expect(whole != Self.output(dropout, inputs: inputs, RunContext(batch: 4, training: true, seed: 9, step: 3)))
        #expect(whole != Self.output(dropout, inputs: inputs, RunContext(batch: 4, training: true, seed: 10, step: 2)))
    }

    @Test func keepsOneMinusPAndScalesKeptValuesByItsInverse() {
        let shape = TensorShape.vector(5000)
        let harness = OperationHarness(Dropout(inputShape: shape, probability: 0.3), batch: 4)
        harness.forward(RunContext(batch: 4, training: true, seed: 1))
        var kept = 0
        for (input, output) in zip(harness.inputs[0], harness.output) where output != 0 {
            kept += 1
            #expect(abs(output - input / 0.7) <= 1e-6 * max(1, abs(output)))
        }
        // 20000 Bernoulli(0.7) draws: standard deviation of the rate about 0.0032.
        #expect(abs(Double(kept) / 20000 - 0.7) <= 0.015)
    }

    @Test func inferenceIsIdentity() {
        let harness = OperationHarness(Dropout(inputShape: Self.shape, probability: 0.5), batch: 2)
        harness.forward(RunContext(batch: 2, training: false))
        harness.backward(RunContext(batch: 2, training: false))
        #expect(harness.output == harness.inputs[0])
        #expect(harness.inputGradients[0] == harness.outputGradient)
    }

    @Test func backwardMatchesFiniteDifferences() {
        expectGradientsMatchFiniteDifferences(Dropout(inputShape: Self.shape, probability: 0.4))
    }

    @Test func backwardAddsIntoExistingGradients() {
        expectBackwardAccumulates(Dropout(inputShape: Self.shape, probability: 0.4))
    }

    @Test func backwardOverwritesWhenFirstToWrite() {
        expectBackwardOverwrites(Dropout(inputShape: Self.shape, probability: 0.4))
    }

    @Test func computesOnlyTheContextBatch() {
        expectOnlyContextBatchIsComputed(Dropout(inputShape: Self.shape, probability: 0.4))
    }

    @Test func allocatesNothing() {
        expectNoHeapAllocation(Dropout(inputShape: Self.shape, probability: 0.4))
    }

    @Test func threadCountDoesNotChangeResults() {
        // Large enough for the samples to split across threads.
        expectThreadCountDoesNotChangeResults(Dropout(inputShape: .vector(20000), probability: 0.4))
    }
}

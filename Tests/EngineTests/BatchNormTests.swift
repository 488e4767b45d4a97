import Engine
import Testing

@Suite struct BatchNormTests {
    // Odd sizes so no loop gets away with assuming a multiple of anything.
    static let shape = TensorShape(height: 3, width: 5, channels: 3)

    /// Per-channel mean and biased variance of a (rows, C) tensor, in double precision.
    static func moments(_ values: [Float], channels: Int) -> (mean: [Double], variance: [Double]) {
        let rows = values.count / channels
        var mean = [Double](repeating: 0, count: channels)
        var variance = [Double](repeating: 0, count: channels)
        for (index, value) in values.enumerated() { mean[index % channels] += Double(value) / Double(rows) }
        for (index, value) in values.enumerated() {
            variance[index % channels] += (Double(value) - mean[index % channels]) * (Double(value) - mean[index % channels]) / Double(rows)
        }
        return (mean, variance)
    }

    @Test func trainingOutputHasBiasMeanAndWeightSquaredVariancePerChannel() {
        let harness = OperationHarness(BatchNorm(inputShape: Self.shape), batch: 2)
        // Far from zero mean, to catch a variance formed by cancellation.
        harness.inputs[0] = harness.inputs[0].map { 100 + 3 * $0 }
        harness.forward(RunContext(batch: 2, training: true))
        let (mean, variance) = Self.moments(harness.output, channels: 3)
        for c in 0..<3 {
            let weight = Double(harness.parameters[c]), bias = Double(harness.parameters[3 + c])
            #expect(abs(mean[c] - bias) <= 1e-4)
            #expect(abs(variance[c] - weight * weight) <= 1e-3 * weight * weight)
        }
    }

    @Test func trainingUpdatesRunningStatisticsWithUnbiasedVariance() {
        let harness = OperationHarness(BatchNorm(inputShape: Self.shape, momentum: 0.1), batch: 2)
        harness.forward(RunContext(batch: 2, training: true))
        let (mean, variance) = Self.moments(harness.inputs[0], channels: 3)
        let rows = Double(harness.inputs[0].count / 3)
        for c in 0..<3 {
            // Running statistics start at mean 0, variance 1.
            #expect(abs(Double(harness.state[c]) - 0.1 * mean[c]) <= 1e-6)
            #expect(abs(Double(harness.state[3 + c]) - (0.9 + 0.1 * variance[c] * rows / (rows - 1))) <= 1e-6)
        }
    }

    @Test func inferenceNormalisesWithRunningStatistics() {
        let harness = OperationHarness(BatchNorm(inputShape: Self.shape, epsilon: 1e-3), batch: 2)
        harness.state = [0.5, -1, 2, 4, 0.25, 1]   // running mean, then running variance
        let before = harness.state
        harness.forward(RunContext(batch: 2, training: false))
        for (index, value) in harness.inputs[0].enumerated() {
            let c = index % 3
            let expected = (value - before[c]) / (before[3 + c] + 1e-3).squareRoot() * harness.parameters[c] + harness.parameters[3 + c]
            #expect(abs(harness.output[index] - expected) <= 1e-5 * max(1, abs(expected)))
        }
        #expect(harness.state == before)
    }

    @Test(arguments: [true, false])
    func backwardMatchesFiniteDifferences(training: Bool) {
        expectGradientsMatchFiniteDifferences(BatchNorm(inputShape: Self.shape), batch: 2, training: training)
    }

    @Test func backwardMatchesFiniteDifferencesWithOneValuePerChannelPerSample() {
        // A (1, 1, C) input: the statistics run over the batch alone.
        expectGradientsMatchFiniteDifferences(BatchNorm(inputShape: .vector(5)), batch: 3)
    }

    @Test func reducerThatSumsTwoIdenticalRanksLeavesOutputAndGradientsUnchanged() {
        func run(_ reducer: ((UnsafeMutablePointer<Float>, Int) -> Void)?) -> OperationHarness {
            let batchNorm = BatchNorm(inputShape: Self.shape)
            batchNorm.statisticsReducer = reducer
            let harness = OperationHarness(batchNorm, batch: 2)
            harness.forward(RunContext(batch: 2, training: true))
            harness.backward(RunContext(batch: 2, training: true))
            return harness
        }
        var reducedCounts: [Int] = []
        let local = run(nil)
        let doubled = run { buffer, count in
            reducedCounts.append(count)
            for i in 0..<count { buffer[i] *= 2 }
        }
        #expect(reducedCounts == [2 * 3 + 1, 2 * 3])
        #expect(largestRelativeDifference(doubled.output, local.output) <= 1e-5)
        #expect(largestRelativeDifference(doubled.inputGradients[0], local.inputGradients[0]) <= 1e-5)
        // Parameter gradients stay local: the all-reduce of parameter gradients sums them.
        #expect(largestRelativeDifference(doubled.parameterGradients, local.parameterGradients) <= 1e-5)
    }

    @Test func backwardAddsOrOverwritesAsTold() {
        expectBackwardAccumulates(BatchNorm(inputShape: Self.shape))
        expectBackwardOverwrites(BatchNorm(inputShape: Self.shape))
    }

    @Test func computesOnlyTheContextBatch() {
        expectOnlyContextBatchIsComputed(BatchNorm(inputShape: Self.shape))
    }

    @Test func allocatesNothing() {
        expectNoHeapAllocation(BatchNorm(inputShape: Self.shape))
    }

    @Test func threadCountDoesNotChangeResults() {
        expectThreadCountDoesNotChangeResults(BatchNorm(inputShape: Self.shape))
    }
}

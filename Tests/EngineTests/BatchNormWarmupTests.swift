@testable import Engine
import Support
import Testing

/// `RunContext.averagesEarlyStatistics`: the running mean is the plain mean of the batches'
/// means while fewer than 1/momentum steps have run, and the usual exponential average after.
@Suite struct BatchNormWarmupTests {
    /// A 2x2x3 input, batch normalisation (momentum 0.1), pooling and a linear layer; the
    /// running means after `steps` training forwards of batches whose channel c has mean
    /// `mean(step, c)`, and those batch means.
    func runningMeans(steps: Int, warmup: Bool) -> (running: [Float], batchMeans: [[Float]]) {
        let builder = GraphBuilder(inputShape: TensorShape(height: 2, width: 2, channels: 3))
        let normalized = builder.batchNorm(builder.input, momentum: 0.1, name: "bn")
        let pooled = builder.globalAveragePool(normalized)
        let graph = builder.build(embedding: pooled, logits: builder.linear(pooled, outputFeatures: 2, name: "fc"))
        let executor = Executor(graph: graph, batchCapacity: 2)
        executor.initializeParameters(seed: 1)
        var generator = SplitMix64(seed: 4)
        var batchMeans: [[Float]] = []
        for step in 0..<steps {
            var sums = [Float](repeating: 0, count: 3)
            for index in 0..<(2 * 2 * 2 * 3) {
                let value = Float(step) + 3 * generator.nextNormal()
                executor.input[index] = value
                sums[index % 3] += value
            }
            batchMeans.append(sums.map { $0 / 8 })
            var context = RunContext(batch: 2, training: true, step: UInt64(step))
            context.averagesEarlyStatistics = warmup
            executor.forward(context)
        }
        return (Array(executor.tensor(named: "bn.running_mean")!), batchMeans)
    }

    @Test func earlyStepsAverageTheBatchesPlainly() {
        let (running, batchMeans) = runningMeans(steps: 6, warmup: true)
        for channel in 0..<3 {
            let mean = batchMeans.map { $0[channel] }.reduce(0, +) / 6
            #expect(abs(running[channel] - mean) <= 1e-5 * max(1, abs(mean)))
        }
    }

    @Test func laterStepsAreTheExponentialAverageAndWithoutWarmupItStartsFromZero() {
        // From step 10 on max(0.1, 1/(t + 1)) = 0.1: the usual update from the 10-step plain mean.
        let (running, batchMeans) = runningMeans(steps: 14, warmup: true)
        let (plain, _) = runningMeans(steps: 14, warmup: false)
        for channel in 0..<3 {
            var expected = batchMeans[0..<10].map { $0[channel] }.reduce(0, +) / 10
            var fromZero: Float = 0
            for step in 0..<14 {
                if step >= 10 { expected = 0.9 * expected + 0.1 * batchMeans[step][channel] }
                fromZero = 0.9 * fromZero + 0.1 * batchMeans[step][channel]
            }
            #expect(abs(running[channel] - expected) <= 1e-4 * max(1, abs(expected)))
            #expect(abs(plain[channel] - fromZero) <= 1e-4 * max(1, abs(fromZero)))
        }
    }
}

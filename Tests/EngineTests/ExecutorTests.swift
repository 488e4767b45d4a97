import Engine
import Testing

@Suite struct ExecutorTests {
    static let batch = 3

    /// A residual block with squeeze-and-excitation and a classifier, small and of odd sizes:
    /// every kind of wiring the networks use (a tensor read twice, a per-sample channel gate).
    static func residualSqueezeExcitationGraph() -> Graph {
        let builder = GraphBuilder(inputShape: TensorShape(height: 5, width: 5, channels: 2))
        var x = builder.convolution(builder.input, outputChannels: 4, kernelSize: 3, stride: 1, name: "stem")
        x = builder.relu(builder.batchNorm(x, name: "stem_bn"))
        var branch = builder.convolution(x, outputChannels: 4, kernelSize: 1, name: "conv")
        branch = builder.batchNorm(branch, name: "bn")
        x = builder.relu(builder.add(x, branch))
        var gate = builder.globalAveragePool(x)
        gate = builder.relu(builder.convolution(gate, outputChannels: 2, kernelSize: 1, bias: true, name: "fc1"))
        gate = builder.hardSigmoid(builder.convolution(gate, outputChannels: 4, kernelSize: 1, bias: true, name: "fc2"))
        x = builder.channelScale(x, by: gate)
        let embedding = builder.globalAveragePool(x)
        let logits = builder.linear(embedding, outputFeatures: 3, name: "classifier")
        return builder.build(embedding: embedding, logits: logits)
    }

    /// An executor with initialised parameters, a seeded input batch and seeded loss weights r.
    /// Seed 26 leaves every pre-activation at least 0.01 from a kink of relu or hardSigmoid,
    /// where a finite difference would straddle it and disagree with the one-sided derivative.
    static func prepared(seed: UInt64 = 26) -> (executor: Executor, weights: [Float]) {
        let graph = residualSqueezeExcitationGraph()
        let executor = Executor(graph: graph, batchCapacity: batch)
        executor.initializeParameters(seed: 5)
        var generator = SplitMix64(seed: seed)
        for i in 0..<graph.inputShape.elementCount * batch { executor.input[i] = generator.nextNormal() }
        // Random BN affine parameters, so that no gradient vanishes by symmetry.
        for i in 0..<graph.trainableCount { executor.parameters[i] += 0.1 * generator.nextNormal() }
        let weights = (0..<graph.classCount * batch).map { _ in generator.nextNormal() }
        return (executor, weights)
    }

    static let context = RunContext(batch: batch, training: true, threads: 1, seed: 3, step: 1)

    /// Σ logits·r in double precision.
    static func loss(_ executor: Executor, weights: [Float]) -> Double {
        executor.forward(context)
        return weights.indices.reduce(0) { $0 + Double(executor.logits[$1]) * Double(weights[$1]) }
    }

    @Test func parameterGradientsMatchFiniteDifferencesOfTheLoss() {
        let (executor, weights) = Self.prepared()
        executor.forward(Self.context)
        executor.zeroGradients()
        for i in weights.indices { executor.logitsGradient[i] = weights[i] }
        executor.backward(Self.context)
        let analytic = Array(executor.parameterGradients)

        let step: Float = 1e-3
        var worst = 0.0
        var worstName = ""
        for entry in executor.graph.parameters where entry.trainable {
            for index in entry.offset..<entry.offset + entry.elementCount {
                let original = executor.parameters[index]
                executor.parameters[index] = original + step
                let plus = Self.loss(executor, weights: weights)
                executor.parameters[index] = original - step
                let minus = Self.loss(executor, weights: weights)
                executor.parameters[index] = original
                let numeric = (plus - minus) / Double(2 * step)
                let error = abs(numeric - Double(analytic[index])) / max(1, abs(numeric))
                if error > worst { worst = error; worstName = "\(entry.name)[\(index - entry.offset)]" }
            }
        }
        #expect(worst <= 2e-3, "worst relative error \(worst) at \(worstName)")
    }

    @Test func trainingStepAllocatesNothingAfterTheFirst() {
        let (executor, weights) = Self.prepared()
        let optimizer = Adam(parameterCount: executor.graph.trainableCount)
        // The phases of one training step, measured one by one so a failure names its phase.
        let phases: [(name: String, run: () -> Void)] = [
            ("forward", { executor.forward(Self.context) }),
            ("zeroGradients", { executor.zeroGradients() }),
            ("loss gradient", { for i in weights.indices { executor.logitsGradient[i] = weights[i] } }),
            ("backward", { executor.backward(Self.context) }),
            ("optimizer step", { optimizer.step(parameters: executor.parameters, gradients: executor.parameterGradients) }),
        ]
        // The counter must see allocations at all, or a zero below would prove nothing.
        #expect(heapAllocationsOnThisThread { _ = [Float](repeating: 1, count: 1000) } > 0)
        for phase in phases { phase.run() }
        for phase in phases {
            let allocations = heapAllocationsOnThisThread(during: phase.run)
            #expect(allocations == 0, "\(phase.name) allocated \(allocations) times in the second training step")
        }
    }
}

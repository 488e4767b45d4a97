@testable import Engine
import Support
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

    /// Tensors read several times in every way the planner must order: by two operations
    /// (a residual add, two slices of one tensor), twice by one operation (`Add(x, x)`, a
    /// concatenation that repeats an input), by an operation that nothing reads (its gradient
    /// is never written by backward), and the embedding read by a gate as well as the loss.
    /// Linear in the parameters but for the gate, so finite differences meet no kink.
    static func repeatedReadsGraph() -> Graph {
        let builder = GraphBuilder(inputShape: TensorShape(height: 6, width: 5, channels: 2))
        let stem = builder.convolution(builder.input, outputChannels: 6, kernelSize: 3, stride: 1, padding: 1, name: "stem")
        let residual = builder.add(stem, builder.convolution(stem, outputChannels: 6, kernelSize: 1, name: "branch"))
        let left = builder.channelSlice(residual, 0..<3)
        let right = builder.convolution(builder.channelSlice(residual, 3..<6), outputChannels: 3, kernelSize: 3,
                                        stride: 1, padding: 1, name: "right")
        let shuffled = builder.channelShuffle(builder.concatenate([left, right, left]), groups: 3)
        let doubled = builder.add(shuffled, shuffled)
        let pooled = builder.averagePool(doubled, kernelSize: 3, stride: 2, padding: 1)
        _ = builder.averagePool(doubled, kernelSize: 2, stride: 2)
        let embedding = builder.globalAveragePool(pooled)
        let gated = builder.channelScale(pooled, by: embedding)
        let logits = builder.linear(builder.globalAveragePool(gated), outputFeatures: 3, name: "classifier")
        return builder.build(embedding: embedding, logits: logits)
    }

    /// The loss Σ logits·r + Σ embedding·q, with seeded r and q.
    struct LossWeights {
        var logits: [Float]
        var embedding: [Float]
    }

    /// An executor with initialised parameters, a seeded input batch and seeded loss weights.
    /// Seed 26 leaves every pre-activation of the squeeze-and-excitation graph at least 0.01
    /// from a kink of relu or hardSigmoid, where a finite difference would straddle it and
    /// disagree with the one-sided derivative.
    static func prepared(
        _ graph: Graph = residualSqueezeExcitationGraph(), sharesGradientBuffers: Bool = true, seed: UInt64 = 26
    ) -> (executor: Executor, weights: LossWeights) {
        let executor = Executor(graph: graph, batchCapacity: batch, sharesGradientBuffers: sharesGradientBuffers)
        executor.initializeParameters(seed: 5)
        var generator = SplitMix64(seed: seed)
        for i in 0..<graph.inputShape.elementCount * batch { executor.input[i] = generator.nextNormal() }
        // Random BN affine parameters, so that no gradient vanishes by symmetry.
        for i in 0..<graph.trainableCount { executor.parameters[i] += 0.1 * generator.nextNormal() }
        let weights = LossWeights(
            logits: (0..<graph.classCount * batch).map { _ in generator.nextNormal() },
            embedding: (0..<graph.embeddingWidth * batch).map { _ in generator.nextNormal() })
        return (executor, weights)
    }

    static let context = RunContext(batch: batch, training: true, threads: 1, seed: 3, step: 1)

    /// Σ logits·r + Σ embedding·q in double precision.
    static func loss(_ executor: Executor, weights: LossWeights) -> Double {
        executor.forward(context)
        let logits = weights.logits.indices.reduce(0) { $0 + Double(executor.logits[$1]) * Double(weights.logits[$1]) }
        return weights.embedding.indices.reduce(logits) {
            $0 + Double(executor.embeddings[$1]) * Double(weights.embedding[$1])
        }
    }

    /// One forward and backward of the loss, the activation gradients first filled with NaN
    /// (as stale values from another tensor could be) unless `poisoned` is false: any
    /// gradient read before it is written then spreads NaN into the parameter gradients.
    static func parameterGradients(_ executor: Executor, weights: LossWeights, poisoned: Bool = true) -> [Float] {
        executor.forward(context)
        if poisoned {
            for (index, node) in executor.graph.nodes.enumerated().dropFirst() {
                executor.gradient(of: NodeID(index: index)).update(repeating: .nan, count: node.shape.elementCount * batch)
            }
        }
        executor.zeroGradients()
        for i in weights.logits.indices { executor.logitsGradient[i] = weights.logits[i] }
        for i in weights.embedding.indices { executor.embeddingGradient[i] += weights.embedding[i] }
        executor.backward(context)
        return Array(executor.parameterGradients)
    }

    static func expectParameterGradientsMatchFiniteDifferences(
        _ graph: Graph, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let (executor, weights) = prepared(graph)
        let analytic = parameterGradients(executor, weights: weights)

        let step: Float = 1e-3
        var worst = 0.0
        var worstName = ""
        for entry in executor.graph.parameters where entry.trainable {
            for index in entry.offset..<entry.offset + entry.elementCount {
                let original = executor.parameters[index]
                executor.parameters[index] = original + step
                let plus = loss(executor, weights: weights)
                executor.parameters[index] = original - step
                let minus = loss(executor, weights: weights)
                executor.parameters[index] = original
                let numeric = (plus - minus) / Double(2 * step)
                let error = abs(numeric - Double(analytic[index])) / max(1, abs(numeric))
                if error > worst || error.isNaN { worst = error; worstName = "\(entry.name)[\(index - entry.offset)]" }
            }
        }
        #expect(worst <= 2e-3, "worst relative error \(worst) at \(worstName)", sourceLocation: sourceLocation)
    }

    @Test func parameterGradientsMatchFiniteDifferencesOfTheLoss() {
        Self.expectParameterGradientsMatchFiniteDifferences(Self.residualSqueezeExcitationGraph())
    }

    @Test func parameterGradientsMatchFiniteDifferencesWhereTensorsAreReadRepeatedly() {
        Self.expectParameterGradientsMatchFiniteDifferences(Self.repeatedReadsGraph())
    }

    @Test func sharingGradientBuffersChangesNoParameterGradient() {
        for graph in [Self.residualSqueezeExcitationGraph(), Self.repeatedReadsGraph()] {
            let (shared, weights) = Self.prepared(graph, sharesGradientBuffers: true)
            let (separate, _) = Self.prepared(graph, sharesGradientBuffers: false)
            let sharedGradients = Self.parameterGradients(shared, weights: weights)
            let separateGradients = Self.parameterGradients(separate, weights: weights, poisoned: false)
            #expect(sharedGradients.allSatisfy { $0.isFinite })
            #expect(largestRelativeDifference(sharedGradients, separateGradients) <= 1e-6)
        }
    }

    @Test func sharedGradientArenaIsSmallerThanAllGradientsTogether() {
        let graph = Self.repeatedReadsGraph()
        let total = graph.nodes.dropFirst().reduce(0) { $0 + $1.shape.elementCount * Self.batch }
        let shared = Executor(graph: graph, batchCapacity: Self.batch)
        let separate = Executor(graph: graph, batchCapacity: Self.batch, sharesGradientBuffers: false)
        #expect(shared.gradientArenaCount < total)
        #expect(separate.gradientArenaCount >= total)
    }

    @Test func trainingStepAllocatesNothingAfterTheFirst() {
        let (executor, weights) = Self.prepared()
        let optimizer = Adam(parameterCount: executor.graph.trainableCount)
        // The phases of one training step, measured one by one so a failure names its phase.
        let phases: [(name: String, run: () -> Void)] = [
            ("forward", { executor.forward(Self.context) }),
            ("zeroGradients", { executor.zeroGradients() }),
            ("loss gradient", { for i in weights.logits.indices { executor.logitsGradient[i] = weights.logits[i] } }),
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

import Engine
import Networks
import Support
import Testing

/// Every network wired on the engine runs end to end: small images, batch 2, in the debug
/// build these take seconds.
@Suite struct NetworkForwardTests {
    static let batch = 2
    static let classes = 3

    /// An executor for `kind` on 64 x 64 colour images, parameters initialised, inputs filled
    /// with a fixed pseudo-random image per sample.
    static func preparedExecutor(_ kind: NetworkKind) throws -> Executor {
        let graph = try makeGraph(kind, inputShape: TensorShape(height: 64, width: 64, channels: 3), classes: classes)
        let executor = Executor(graph: graph, batchCapacity: batch)
        executor.initializeParameters(seed: 7)
        var generator = SplitMix64(seed: 11)
        for i in 0..<batch * graph.inputShape.elementCount { executor.input[i] = generator.nextNormal() }
        return executor
    }

    @Test(arguments: NetworkKind.allCases, [true, false])
    func forwardGivesFiniteLogitsAndEmbeddings(_ kind: NetworkKind, training: Bool) throws {
        let executor = try Self.preparedExecutor(kind)
        executor.forward(RunContext(batch: Self.batch, training: training, seed: 3))
        let width = kind.embeddingWidth
        let logits = Array(UnsafeBufferPointer(start: executor.logits, count: Self.batch * Self.classes))
        let embeddings = Array(UnsafeBufferPointer(start: executor.embeddings, count: Self.batch * width))
        #expect(logits.allSatisfy { $0.isFinite })
        #expect(embeddings.allSatisfy { $0.isFinite })
        // Different images must not collapse to one embedding.
        #expect(embeddings[0..<width] != embeddings[width...])
    }

    @Test(arguments: NetworkKind.allCases)
    func backwardGivesFiniteParameterGradients(_ kind: NetworkKind) throws {
        let executor = try Self.preparedExecutor(kind)
        let context = RunContext(batch: Self.batch, training: true, seed: 3)
        executor.forward(context)
        executor.zeroGradients()
        for i in 0..<Self.batch * Self.classes { executor.logitsGradient[i] = i % 2 == 0 ? 0.5 : -0.5 }
        executor.backward(context)
        let gradients = executor.parameterGradients
        #expect(gradients.allSatisfy { $0.isFinite })
        #expect(gradients.contains { $0 != 0 })
    }
}

import Engine
import Networks
import Support
import Testing

/// The executor's gradient arena lets gradients that are never live at once share memory
/// (`GradientPlan`). Sharing is a memory layout only: on every network the parameter gradients
/// must come out bit for bit as when each gradient has memory of its own. A gradient written
/// first by the wrong node, or a buffer reused while still read, would change them.
@Suite struct GradientSharingTests {
    static let batch = 2
    static let classes = 3

    /// Parameter gradients of one training step on 32 x 32 grey images, with the logits' and
    /// the embedding's gradients both seeded, as cross-entropy plus a metric loss leave them.
    static func parameterGradients(_ kind: NetworkKind, sharesGradientBuffers: Bool) throws -> [Float] {
        let graph = try makeGraph(kind, inputShape: TensorShape(height: 32, width: 32, channels: 1), classes: classes)
        let executor = Executor(graph: graph, batchCapacity: batch, sharesGradientBuffers: sharesGradientBuffers)
        executor.initializeParameters(seed: 7)
        var generator = SplitMix64(seed: 11)
        for i in 0..<batch * graph.inputShape.elementCount { executor.input[i] = generator.nextNormal() }
        let context = RunContext(batch: batch, training: true, threads: 1, seed: 3)
        executor.forward(context)
        executor.zeroGradients()
        for i in 0..<batch * classes { executor.logitsGradient[i] = generator.nextNormal() }
        for i in 0..<batch * kind.embeddingWidth { executor.embeddingGradient[i] += generator.nextNormal() }
        executor.backward(context)
        return Array(executor.parameterGradients)
    }

    @Test(arguments: NetworkKind.allCases)
    func sharedGradientBuffersGiveBitIdenticalParameterGradients(_ kind: NetworkKind) throws {
        let shared = try Self.parameterGradients(kind, sharesGradientBuffers: true)
        let separate = try Self.parameterGradients(kind, sharesGradientBuffers: false)
        #expect(shared.contains { $0 != 0 }, "\(kind) has no nonzero parameter gradient")
        let differing = zip(shared, separate).filter { $0.bitPattern != $1.bitPattern }.count
        #expect(differing == 0, "\(kind): \(differing) of \(shared.count) parameter gradients differ with shared buffers")
    }
}

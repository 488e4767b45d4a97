import Engine
import Support

/// A network built for one input shape and class count, with its executor and arenas: what
/// training, evaluation, inference and the benchmarks run.
public final class Model {
    public let kind: NetworkKind
    public let graph: Graph
    public let executor: Executor

    /// Refuses, with the figures, a network whose arenas would not fit in `memory`.
    public init(kind: NetworkKind, imageSize: Int, channels: Int, classes: Int, batchCapacity: Int, memory: MemoryBudget = .current) throws {
        self.kind = kind
        graph = try makeGraph(kind, inputShape: TensorShape(height: imageSize, width: imageSize, channels: channels), classes: classes)
        try memory.check(
            ExecutorFootprint(graph: graph, batchCapacity: batchCapacity).totalBytes,
            for: "\(kind.rawValue) on \(imageSize) x \(imageSize) x \(channels) images in batches of \(batchCapacity)",
            advice: "lower --batch")
        executor = Executor(graph: graph, batchCapacity: batchCapacity)
    }

    public var classCount: Int { graph.classCount }
    public var embeddingWidth: Int { graph.embeddingWidth }
    public var parameterCount: Int { graph.trainableCount }

    /// Every batch-normalisation layer of the graph.
    public var batchNormLayers: [BatchNorm] {
        graph.nodes.compactMap { $0.operation as? BatchNorm }
    }

    /// A copy of parameters and state, to restore the best epoch's weights later.
    public func snapshot() -> (parameters: [Float], state: [Float]) {
        (Array(executor.parameters), Array(executor.state))
    }

    public func restore(_ snapshot: (parameters: [Float], state: [Float])) {
        precondition(snapshot.parameters.count == executor.parameters.count && snapshot.state.count == executor.state.count)
        _ = executor.parameters.update(fromContentsOf: snapshot.parameters)
        _ = executor.state.update(fromContentsOf: snapshot.state)
    }
}

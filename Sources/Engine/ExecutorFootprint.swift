import Support

/// The memory an `Executor` of a graph allocates at a batch capacity, computed without
/// allocating it, so that a configuration too large for the machine is refused with the figure
/// before anything is built.
public struct ExecutorFootprint: Sendable {
    /// Parameters, their gradients and the running statistics.
    public let parameterBytes: UInt64
    /// Activations, what backward keeps, the shared gradient arena and the workspace; nil for
    /// a size past any machine's memory (where counting it could overflow).
    public let activationBytes: UInt64?

    public var totalBytes: UInt64? { activationBytes.map { $0 + parameterBytes } }

    /// Activation floats above this (a petabyte) are reported as nil rather than counted: the
    /// operations' own size formulas multiply further and could overflow.
    private static let countableFloats: UInt64 = 1 << 48

    public init(graph: Graph, batchCapacity: Int) {
        parameterBytes = UInt64(2 * graph.trainableCount + graph.stateCount) * UInt64(MemoryLayout<Float>.size)
        let activations = graph.nodes.reduce(UInt64?(0)) { sum, node in
            MemoryBudget.sum(sum, MemoryBudget.product(node.shape.elementCount, batchCapacity))
        }
        guard let activations, activations <= Self.countableFloats else {
            activationBytes = nil
            return
        }
        var floats = activations
        var workspace = 0
        for node in graph.nodes {
            guard let operation = node.operation else { continue }
            floats += UInt64(operation.savedCount(batch: batchCapacity))
            workspace = max(workspace, operation.workspaceCount(batch: batchCapacity))
        }
        floats += UInt64(workspace)
        floats += UInt64(GradientPlan(graph: graph, batchCapacity: batchCapacity, sharesBuffers: true).arenaCount)
        activationBytes = floats * UInt64(MemoryLayout<Float>.size)
    }
}

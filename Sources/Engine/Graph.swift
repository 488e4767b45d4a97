/// Index of a node in a graph. Node 0 is the input image.
public struct NodeID: Hashable, Sendable {
    public let index: Int
}

public struct GraphNode {
    public let operation: (any Operation)?   // nil for the input node
    public let inputs: [NodeID]
    public let shape: TensorShape
    /// Scope of the node's parameters, e.g. "features.3.block.1.0".
    public let name: String

    /// The graph-wide name of the parameter `spec` names ("weight", "running_mean"), as weights
    /// files and exported models have it: "<scope>.<spec>", or the spec alone at the top level.
    public func parameterName(_ spec: String) -> String { name.isEmpty ? spec : "\(name).\(spec)" }
}

/// A network wired once for a given input shape: nodes in execution order, the embedding and
/// logits outputs, and the table of named parameters in the flat arenas.
public struct Graph {
    public let nodes: [GraphNode]
    public let embedding: NodeID
    public let logits: NodeID
    /// The output of the last convolutional stage, the feature map the embedding pools: where
    /// Grad-CAM looks. Nil for a graph that names none (small test graphs).
    public let lastConvolutionalStage: NodeID?
    public let parameters: [ParameterEntry]
    /// Floats in the trainable arena (parameters and gradients have the same size).
    public let trainableCount: Int
    /// Floats in the state arena (running statistics).
    public let stateCount: Int
    /// Offsets of each node's trainable parameters and state.
    let parameterOffsets: [Int]
    let stateOffsets: [Int]

    public var input: NodeID { NodeID(index: 0) }
    public var inputShape: TensorShape { nodes[0].shape }
    public var embeddingWidth: Int { nodes[embedding.index].shape.elementCount }
    public var classCount: Int { nodes[logits.index].shape.elementCount }

    public func shape(of node: NodeID) -> TensorShape { nodes[node.index].shape }

    /// The classifier's share of the trainable arena: the parameters of the nodes after the
    /// embedding, which come last because nodes own increasing offsets.
    public var headParameters: Range<Int> { parameterOffsets[embedding.index + 1]..<trainableCount }

    /// Whether `entry` belongs to a node after the embedding (the classifier).
    public func isInHead(_ entry: ParameterEntry) -> Bool {
        let offsets = entry.trainable ? parameterOffsets : stateOffsets
        return entry.offset >= offsets[embedding.index + 1]
    }

    /// Forward multiply-accumulates for `batch` samples.
    public func multiplyAccumulates(batch: Int = 1) -> Int {
        nodes.reduce(0) { $0 + ($1.operation?.multiplyAccumulates(batch: batch) ?? 0) }
    }
}

/// Wires operations into a `Graph`. Network builders read like the reference's layer table;
/// a sequential scope numbers its layers as PyTorch's `nn.Sequential` numbers its modules:
///
///     x = builder.sequential("features") {
///         builder.sequential {                                       // features.0
///             var y = builder.convolution(x, outputChannels: 16, kernelSize: 3, stride: 2)  // features.0.0
///             y = builder.batchNorm(y)                               // features.0.1
///             return builder.hardSwish(y)                            // features.0.2, no parameters
///         }
///     }
public final class GraphBuilder {
    /// One level of the parameter names. `nextIndex` is the index the next module of a
    /// sequential scope takes; plain scopes have none.
    private struct Scope {
        var name: String
        var nextIndex: Int?
    }

    private var nodes: [GraphNode]
    private var scopes: [Scope] = []
    /// How `convolution` fills weights it is given no initializer for: one choice per
    /// network, as each reference implementation makes one.
    public let convolutionInitialization: ConvolutionInitialization

    public init(inputShape: TensorShape, convolutionInitialization: ConvolutionInitialization = .kaimingNormalFanOut) {
        nodes = [GraphNode(operation: nil, inputs: [], shape: inputShape, name: "input")]
        self.convolutionInitialization = convolutionInitialization
    }

    public var input: NodeID { NodeID(index: 0) }

    public func shape(of node: NodeID) -> TensorShape { nodes[node.index].shape }

    /// Runs `body` with `name` appended to the parameter-name scope. Without a name the scope
    /// is the next module of the enclosing sequential scope, named by its index.
    public func scope<T>(_ name: String? = nil, _ body: () throws -> T) rethrows -> T {
        try enter(Scope(name: name ?? takeIndex(), nextIndex: nil), body)
    }

    /// Runs `body` in a scope that numbers its modules as PyTorch's `nn.Sequential` does:
    /// each layer added without a name, and each unnamed child scope, takes the next index,
    /// 0, 1, 2, ..., whether it has parameters or not (a ReLU takes an index as a convolution
    /// does). Without a name the scope is itself the next module of the enclosing sequential.
    public func sequential<T>(_ name: String? = nil, _ body: () throws -> T) rethrows -> T {
        try enter(Scope(name: name ?? takeIndex(), nextIndex: 0), body)
    }

    private func enter<T>(_ scope: Scope, _ body: () throws -> T) rethrows -> T {
        scopes.append(scope)
        defer { scopes.removeLast() }
        return try body()
    }

    private func takeIndex() -> String {
        guard let index = scopes.last?.nextIndex else {
            preconditionFailure("an unnamed scope outside a sequential one: give it a name")
        }
        scopes[scopes.count - 1].nextIndex = index + 1
        return String(index)
    }

    /// The name of a layer that is `modules` PyTorch modules (a batch normalisation with its
    /// activation fused is two): `name` when given, which takes no index; otherwise, in a
    /// sequential scope, the first of the next `modules` indices; otherwise nil (the layer's
    /// parameters take the scope's name).
    func layerName(_ name: String?, modules: Int = 1) -> String? {
        if let name { return name }
        guard scopes.last?.nextIndex != nil else { return nil }
        let first = takeIndex()
        for _ in 1..<modules { _ = takeIndex() }
        return first
    }

    /// Adds `operation`, fed by `inputs`; its parameters are named "<scope>.<name>.<spec>".
    @discardableResult
    public func add(_ operation: any Operation, inputs: [NodeID], name: String? = nil) -> NodeID {
        precondition(
            operation.inputShapes == inputs.map { shape(of: $0) },
            "operation built for \(operation.inputShapes) wired to \(inputs.map { shape(of: $0) })")
        let path = (scopes.map(\.name) + (name.map { [$0] } ?? [])).joined(separator: ".")
        nodes.append(GraphNode(operation: operation, inputs: inputs, shape: operation.outputShape, name: path))
        return NodeID(index: nodes.count - 1)
    }

    /// Finishes the graph. Parameter names must be unique.
    /// - Parameter lastConvolutionalStage: the last spatial feature map, (H, W, C) with H and W
    ///   above 1 for inputs of 32 pixels and more; every network of bstrain names it.
    public func build(embedding: NodeID, logits: NodeID, lastConvolutionalStage: NodeID? = nil) -> Graph {
        var entries: [ParameterEntry] = []
        var parameterOffsets: [Int] = []
        var stateOffsets: [Int] = []
        var trainable = 0
        var state = 0
        for node in nodes {
            parameterOffsets.append(trainable)
            stateOffsets.append(state)
            for spec in node.operation?.parameterSpecs ?? [] {
                let name = node.parameterName(spec.name)
                let offset = spec.trainable ? trainable : state
                entries.append(ParameterEntry(name: name, shape: spec.shape, trainable: spec.trainable, offset: offset))
                if spec.trainable { trainable += spec.elementCount } else { state += spec.elementCount }
            }
        }
        let names = entries.map(\.name)
        precondition(Set(names).count == names.count, "duplicate parameter names in graph")
        return Graph(
            nodes: nodes, embedding: embedding, logits: logits, lastConvolutionalStage: lastConvolutionalStage, parameters: entries,
            trainableCount: trainable, stateCount: state,
            parameterOffsets: parameterOffsets, stateOffsets: stateOffsets)
    }
}

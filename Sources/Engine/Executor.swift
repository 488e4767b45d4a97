/// Runs a `Graph` forward and backward over buffers planned once for a batch capacity.
///
/// All trainable parameters live in one flat arena and all their gradients in another (llm.c
/// style): the optimizer and the distributed all-reduce work on those arenas directly.
/// After `init`, `forward`, `backward` and `zeroGradients` allocate nothing.
public final class Executor {
    public let graph: Graph
    public let batchCapacity: Int

    /// Trainable parameters, `graph.trainableCount` floats.
    public let parameters: UnsafeMutableBufferPointer<Float>
    /// Their gradients, same layout.
    public let parameterGradients: UnsafeMutableBufferPointer<Float>
    /// Running statistics and other saved, untrained state.
    public let state: UnsafeMutableBufferPointer<Float>

    private var activations: [UnsafeMutablePointer<Float>] = []   // (capacity, H, W, C) per node
    private var gradients: [UnsafeMutablePointer<Float>] = []     // same shapes
    private var gradientCounts: [Int] = []
    private var saved: [UnsafeMutablePointer<Float>] = []
    private let workspace: UnsafeMutablePointer<Float>
    private var ios: [OperationIO] = []
    private var allocations: [UnsafeMutableBufferPointer<Float>] = []

    public init(graph: Graph, batchCapacity: Int) {
        precondition(batchCapacity > 0)
        self.graph = graph
        self.batchCapacity = batchCapacity
        func allocate(_ count: Int) -> UnsafeMutableBufferPointer<Float> {
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(1, count))
            buffer.initialize(repeating: 0)
            return buffer
        }
        parameters = allocate(graph.trainableCount)
        parameterGradients = allocate(graph.trainableCount)
        state = allocate(graph.stateCount)
        var workspaceCount = 1
        for node in graph.nodes {
            let activation = allocate(node.shape.elementCount * batchCapacity)
            let gradient = allocate(node.shape.elementCount * batchCapacity)
            let keep = allocate(node.operation?.savedCount(batch: batchCapacity) ?? 0)
            allocations += [activation, gradient, keep]
            activations.append(activation.baseAddress!)
            gradients.append(gradient.baseAddress!)
            gradientCounts.append(node.shape.elementCount * batchCapacity)
            saved.append(keep.baseAddress!)
            workspaceCount = max(workspaceCount, node.operation?.workspaceCount(batch: batchCapacity) ?? 0)
        }
        let scratch = allocate(workspaceCount)
        allocations.append(scratch)
        workspace = scratch.baseAddress!
        for (index, node) in graph.nodes.enumerated() {
            ios.append(OperationIO(
                inputs: node.inputs.map { activations[$0.index] },
                inputGradients: node.inputs.map { $0.index == 0 ? nil : gradients[$0.index] },
                output: activations[index],
                outputGradient: gradients[index],
                parameters: parameters.baseAddress! + graph.parameterOffsets[index],
                parameterGradients: parameterGradients.baseAddress! + graph.parameterOffsets[index],
                state: state.baseAddress! + graph.stateOffsets[index],
                saved: saved[index],
                workspace: workspace))
        }
    }

    deinit {
        for buffer in allocations { buffer.deallocate() }
        parameters.deallocate()
        parameterGradients.deallocate()
        state.deallocate()
    }

    /// Fills every parameter and state tensor by its initializer, from one seeded stream.
    public func initializeParameters(seed: UInt64) {
        var generator = SplitMix64(seed: SplitMix64.key(seed, 0x1A17))
        for (nodeIndex, node) in graph.nodes.enumerated() {
            var trainable = graph.parameterOffsets[nodeIndex]
            var stateOffset = graph.stateOffsets[nodeIndex]
            for spec in node.operation?.parameterSpecs ?? [] {
                let base = spec.trainable ? parameters.baseAddress! + trainable : state.baseAddress! + stateOffset
                spec.initializer.fill(UnsafeMutableBufferPointer(start: base, count: spec.elementCount), using: &generator)
                if spec.trainable { trainable += spec.elementCount } else { stateOffset += spec.elementCount }
            }
        }
    }

    /// The network input, (capacity, H, W, C); write the batch's images here.
    public var input: UnsafeMutablePointer<Float> { activations[0] }

    public func output(of node: NodeID) -> UnsafeMutablePointer<Float> { activations[node.index] }
    public func gradient(of node: NodeID) -> UnsafeMutablePointer<Float> { gradients[node.index] }

    public var embeddings: UnsafeMutablePointer<Float> { output(of: graph.embedding) }
    public var logits: UnsafeMutablePointer<Float> { output(of: graph.logits) }
    /// Where the loss writes dL/d(embedding); backward adds the classifier's share.
    public var embeddingGradient: UnsafeMutablePointer<Float> { gradient(of: graph.embedding) }
    public var logitsGradient: UnsafeMutablePointer<Float> { gradient(of: graph.logits) }

    /// When set, forward and backward time every node into it (for `bstrain bench`).
    public var profile: ExecutionProfile?

    /// Called during backward after each node whose parameters' gradients are then final,
    /// with the arena offset from which every trainable gradient is complete (nodes run in
    /// reverse and own increasing offsets). The distributed reducer starts all-reducing a
    /// bucket as soon as this passes its start.
    public var onGradientsFinal: ((_ firstFinalOffset: Int) -> Void)?

    public func forward(_ context: RunContext) {
        precondition(context.batch <= batchCapacity, "batch \(context.batch) exceeds capacity \(batchCapacity)")
        for index in 1..<graph.nodes.count {
            if let profile {
                let start = profile.now()
                graph.nodes[index].operation!.forward(ios[index], context)
                profile.forwardSeconds[index] += profile.now() - start
            } else {
                graph.nodes[index].operation!.forward(ios[index], context)
            }
        }
    }

    /// Zeroes all activation and parameter gradients. Call before the loss writes its gradients.
    public func zeroGradients() {
        for index in 1..<gradients.count {
            gradients[index].update(repeating: 0, count: gradientCounts[index])
        }
        parameterGradients.update(repeating: 0)
    }

    /// Back-propagates from the gradients the loss put on the embedding and logits.
    public func backward(_ context: RunContext) {
        var reported = graph.trainableCount
        for index in stride(from: graph.nodes.count - 1, through: 1, by: -1) {
            if let profile {
                let start = profile.now()
                graph.nodes[index].operation!.backward(ios[index], context)
                profile.backwardSeconds[index] += profile.now() - start
            } else {
                graph.nodes[index].operation!.backward(ios[index], context)
            }
            if let onGradientsFinal, graph.parameterOffsets[index] < reported {
                reported = graph.parameterOffsets[index]
                onGradientsFinal(reported)
            }
        }
    }

    /// A named parameter or state tensor as a buffer into the arenas.
    public func tensor(named name: String) -> UnsafeMutableBufferPointer<Float>? {
        guard let entry = graph.parameters.first(where: { $0.name == name }) else { return nil }
        return view(of: entry)
    }

    public func view(of entry: ParameterEntry) -> UnsafeMutableBufferPointer<Float> {
        let base = entry.trainable ? parameters.baseAddress! : state.baseAddress!
        return UnsafeMutableBufferPointer(start: base + entry.offset, count: entry.elementCount)
    }
}

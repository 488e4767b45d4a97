import Support

/// Runs a `Graph` forward and backward over buffers planned once for a batch capacity.
///
/// All trainable parameters live in one flat arena and all their gradients in another (llm.c
/// style): the optimizer and the distributed all-reduce work on those arenas directly.
/// Every node keeps its activation (backward reads them), while the activation gradients live
/// in a third arena where gradients that are never live at once share memory. Backward adds
/// into gradients; each gradient's first writer overwrites it where it can, and is otherwise
/// preceded by zeroing it (see `GradientPlan`).
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

    /// Floats in the arena of activation gradients; with shared buffers, below the sum
    /// of all nodes' gradients.
    public let gradientArenaCount: Int

    private var activations: [UnsafeMutablePointer<Float>] = []   // (capacity, H, W, C) per node
    private let gradientArena: UnsafeMutableBufferPointer<Float>
    private let gradientPlan: GradientPlan
    private var saved: [UnsafeMutablePointer<Float>] = []
    private let workspace: UnsafeMutablePointer<Float>
    private var ios: [OperationIO] = []
    private var allocations: [UnsafeMutableBufferPointer<Float>] = []

    /// With `sharesGradientBuffers` false every node's gradient has memory of its own and
    /// keeps its value after backward, for tests that inspect interior gradients; it costs
    /// memory and nothing else.
    public init(graph: Graph, batchCapacity: Int, sharesGradientBuffers: Bool = true) {
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
        gradientPlan = GradientPlan(graph: graph, batchCapacity: batchCapacity, sharesBuffers: sharesGradientBuffers)
        gradientArenaCount = gradientPlan.arenaCount
        gradientArena = allocate(gradientArenaCount)
        var workspaceCount = 1
        for node in graph.nodes {
            let activation = allocate(node.shape.elementCount * batchCapacity)
            let keep = allocate(node.operation?.savedCount(batch: batchCapacity) ?? 0)
            allocations += [activation, keep]
            activations.append(activation.baseAddress!)
            saved.append(keep.baseAddress!)
            workspaceCount = max(workspaceCount, node.operation?.workspaceCount(batch: batchCapacity) ?? 0)
        }
        let scratch = allocate(workspaceCount)
        allocations.append(scratch)
        workspace = scratch.baseAddress!
        for (index, node) in graph.nodes.enumerated() {
            ios.append(OperationIO(
                inputs: node.inputs.map { activations[$0.index] },
                inputGradients: node.inputs.map { $0.index == 0 ? nil : gradientBuffer(of: $0.index) },
                overwritesInputGradients: gradientPlan.overwritesInputGradients[index],
                output: activations[index],
                outputGradient: gradientBuffer(of: index),
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
        gradientArena.deallocate()
    }

    private func gradientBuffer(of index: Int) -> UnsafeMutablePointer<Float> {
        gradientArena.baseAddress! + gradientPlan.offsets[index]
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

    /// dL/d(output of `node`), (capacity, H, W, C). With shared gradient buffers (the
    /// default) an interior node's gradient is meaningful only during backward, from the
    /// backward of the last node that reads it until its own; outside that the memory holds
    /// other nodes' gradients. The image has none.
    public func gradient(of node: NodeID) -> UnsafeMutablePointer<Float> {
        precondition(node.index > 0, "the input image has no gradient")
        return gradientBuffer(of: node.index)
    }

    public var embeddings: UnsafeMutablePointer<Float> { output(of: graph.embedding) }
    public var logits: UnsafeMutablePointer<Float> { output(of: graph.logits) }
    /// Where the loss adds dL/d(embedding), between `zeroGradients` and `backward`; backward
    /// adds the classifier's share.
    public var embeddingGradient: UnsafeMutablePointer<Float> { gradient(of: graph.embedding) }
    /// Where the loss writes dL/d(logits), between `zeroGradients` and `backward`.
    public var logitsGradient: UnsafeMutablePointer<Float> { gradient(of: graph.logits) }

    /// When set, forward and backward time every node into it (for `bstrain bench`).
    public var profile: ExecutionProfile?

    /// Called during backward after each node whose parameters' gradients are then final,
    /// with the arena offset from which every trainable gradient is complete (nodes run in
    /// reverse and own increasing offsets). The distributed reducer starts all-reducing a
    /// bucket as soon as this passes its start.
    public var onGradientsFinal: ((_ firstFinalOffset: Int) -> Void)?

    /// When set, the backbone (every node up to the embedding) is frozen: forward runs it in
    /// inference mode, so its batch normalisation uses and keeps the running statistics, and
    /// backward stops at the embedding, leaving its parameters' gradients zero. Only the
    /// classifier (`Graph.headParameters`) then learns.
    public var freezesBackbone = false

    /// Runs the nodes after `start`; by default every node. From a later node, the activations
    /// at and below it are read as the last forward left them, or as a caller changed them: a
    /// finite-difference check of an interior gradient perturbs a node's output this way.
    public func forward(_ context: RunContext, after start: NodeID? = nil) {
        precondition(context.batch <= batchCapacity, "batch \(context.batch) exceeds capacity \(batchCapacity)")
        var backboneContext = context
        backboneContext.training = context.training && !freezesBackbone
        for index in ((start?.index ?? 0) + 1)..<graph.nodes.count {
            let context = index <= graph.embedding.index ? backboneContext : context
            if let profile {
                let start = profile.now()
                graph.nodes[index].operation!.forward(ios[index], context)
                profile.forwardSeconds[index] += profile.now() - start
            } else {
                graph.nodes[index].operation!.forward(ios[index], context)
            }
        }
    }

    /// Zeroes the parameter gradients and the gradients backward starts from: the embedding's,
    /// the logits' and those of nodes no operation reads. Call before the loss writes its
    /// gradients. Other activation gradients need no zeroing here: backward overwrites each at
    /// its first write, or zeroes it just before.
    public func zeroGradients() {
        for index in gradientPlan.seededNodes {
            gradientBuffer(of: index).update(repeating: 0, count: gradientPlan.counts[index])
        }
        parameterGradients.update(repeating: 0)
    }

    /// Back-propagates from the gradients the loss put on the embedding and logits, through
    /// every node after `end`; by default through every node. Stopping above a node leaves its
    /// gradient complete and still in its buffer, as its own backward has not run: Grad-CAM
    /// reads a feature map's gradient so, without the cost of the layers below it.
    public func backward(_ context: RunContext, downTo end: NodeID? = nil) {
        var reported = graph.trainableCount
        let last = max(end?.index ?? 0, freezesBackbone ? graph.embedding.index : 0)
        for index in stride(from: graph.nodes.count - 1, through: last + 1, by: -1) {
            if let profile {
                let start = profile.now()
                backwardNode(index, context)
                profile.backwardSeconds[index] += profile.now() - start
            } else {
                backwardNode(index, context)
            }
            if let onGradientsFinal, graph.parameterOffsets[index] < reported {
                reported = graph.parameterOffsets[index]
                onGradientsFinal(reported)
            }
        }
        // The frozen backbone's gradients stay as zeroGradients left them, final too.
        if freezesBackbone, let onGradientsFinal, reported > 0 { onGradientsFinal(0) }
    }

    /// Zeroes the gradients node `index` writes first but only adds into, then runs its backward.
    private func backwardNode(_ index: Int, _ context: RunContext) {
        let zeroed = gradientPlan.zeroedBeforeBackward[index]
        // Indices, not `for node in zeroed`: an unspecialised array iterator allocates in debug
        // builds, and the training step must not.
        for k in 0..<zeroed.count {
            let gradient = gradientBuffer(of: zeroed[k])
            parallelFor(context.batch * graph.nodes[zeroed[k]].shape.elementCount, threads: context.threads,
                        minimumChunk: streamingGrain) { range in
                (gradient + range.lowerBound).update(repeating: 0, count: range.count)
            }
        }
        graph.nodes[index].operation!.backward(ios[index], context)
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

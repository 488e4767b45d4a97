/// How backward writes each activation gradient, and where in one arena each lives: planned
/// once from the graph, so that no gradient needs zeroing before a step and gradients whose
/// lives do not overlap share memory.
///
/// Write order. Backward runs the nodes from the last down, so of the operations that read a
/// tensor, the one with the highest index writes its gradient first; the others add into it.
/// Within one operation inputs are written in slot order, so a tensor read twice by it
/// (`Add(x, x)`) is written first by the first slot. The first writer overwrites the gradient
/// where it can (`Operation.canOverwriteInputGradient`); where it only adds, the executor
/// zeroes the gradient just before that writer's backward, when the buffer is about to be
/// used anyway (see `GradientWrite`).
///
/// Seeded gradients are the exception: the embedding's and the logits', which the loss writes
/// before backward (the embedding's by adding), and the gradient of any node that no operation
/// reads. Nothing in backward would write the last kind, yet the node's own backward reads it,
/// so it must hold zeros. The executor zeroes all seeded gradients before the loss, and every
/// operation adds into them.
///
/// Liveness. The gradient of node i is live from the backward of its first writer (its
/// highest-index reader, or from `zeroGradients` when seeded) to the end of node i's own
/// backward; in node indices, over `i...firstWriter` with the loss at `nodes.count`. Two
/// gradients may share memory when those ranges are disjoint: one is dead before the other is
/// first written. The image (node 0) has no gradient.
struct GradientPlan {
    /// Per node, per input: whether its backward overwrites the input's gradient (`true`: it
    /// writes it first and can overwrite) or adds into it. Inputs that are the image get
    /// `false`; their gradient is `nil`.
    let overwritesInputGradients: [[Bool]]
    /// Per node: the nodes whose gradients it writes first but only adds into, which the
    /// executor zeroes just before its backward.
    let zeroedBeforeBackward: [[Int]]
    /// Nodes whose gradient is zeroed before the loss writes: see "Seeded gradients".
    let seededNodes: [Int]
    /// Floats of each node's gradient buffer, (capacity, H, W, C); 0 for the image.
    let counts: [Int]
    /// Where each node's gradient starts in the arena.
    let offsets: [Int]
    /// Floats in the arena.
    let arenaCount: Int

    /// Buffers start on 64-byte boundaries (16 floats), a cache line of their own.
    static let alignment = 16

    /// With `sharesBuffers` false every gradient gets memory of its own, as if all were live
    /// throughout, so each keeps its value after backward.
    init(graph: Graph, batchCapacity: Int, sharesBuffers: Bool) {
        let nodes = graph.nodes
        precondition(graph.embedding.index > 0 && graph.logits.index > 0, "the image cannot be the embedding or logits")
        var firstWriter = [Int?](repeating: nil, count: nodes.count)
        for (index, node) in nodes.enumerated() {
            for input in node.inputs { firstWriter[input.index] = index }
        }
        var seeded = Set([graph.embedding.index, graph.logits.index])
        for index in 1..<nodes.count where firstWriter[index] == nil { seeded.insert(index) }
        for index in seeded { firstWriter[index] = nodes.count }

        var written = seeded
        var overwrites = nodes.map { [Bool](repeating: false, count: $0.inputs.count) }
        var zeroed = nodes.map { _ in [Int]() }
        for index in stride(from: nodes.count - 1, through: 1, by: -1) {
            for (slot, input) in nodes[index].inputs.enumerated() where input.index > 0 {
                guard written.insert(input.index).inserted else { continue }
                if nodes[index].operation!.canOverwriteInputGradient(slot) {
                    overwrites[index][slot] = true
                } else {
                    zeroed[index].append(input.index)
                }
            }
        }
        overwritesInputGradients = overwrites
        zeroedBeforeBackward = zeroed
        seededNodes = seeded.sorted()

        counts = nodes.indices.map { $0 == 0 ? 0 : nodes[$0].shape.elementCount * batchCapacity }
        let lives = nodes.indices.map { index in
            sharesBuffers ? index...firstWriter[index]! : 0...nodes.count
        }
        (offsets, arenaCount) = Self.placeBuffers(counts: counts, lives: lives)
    }

    /// Greedy offsets: the largest buffer first, each at the lowest aligned offset that
    /// overlaps no placed buffer whose life meets its own.
    private static func placeBuffers(counts: [Int], lives: [ClosedRange<Int>]) -> (offsets: [Int], arenaCount: Int) {
        func aligned(_ count: Int) -> Int { (count + alignment - 1) / alignment * alignment }
        var offsets = [Int](repeating: 0, count: counts.count)
        var placed: [Int] = []
        var arenaCount = 0
        let largestFirst = counts.indices.filter { counts[$0] > 0 }.sorted { (counts[$0], $1) > (counts[$1], $0) }
        for index in largestFirst {
            let size = aligned(counts[index])
            let occupied = placed.filter { lives[$0].overlaps(lives[index]) }.sorted { offsets[$0] < offsets[$1] }
            var offset = 0
            for other in occupied {
                if offset + size <= offsets[other] { break }
                offset = max(offset, offsets[other] + aligned(counts[other]))
            }
            offsets[index] = offset
            placed.append(index)
            arenaCount = max(arenaCount, offset + size)
        }
        return (offsets, arenaCount)
    }
}

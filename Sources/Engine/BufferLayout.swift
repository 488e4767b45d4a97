/// Buffers laid end to end in one block of floats: an operation's workspace, or the memory it
/// keeps from forward to backward. As in llm.c's `malloc_and_point_activations`, an operation
/// lists its buffers once, in order, with a shape comment each; the count it asks the executor
/// for and the pointers its passes use both come from that list, so they cannot disagree.
///
///     struct Saved {
///         let mean: BufferLayout.Region       // (C)
///         let count: Int
///         init(channels: Int) {
///             var layout = BufferLayout()
///             mean = layout.append(channels)
///             count = layout.count
///         }
///     }
///     let mean = Saved(channels: c).mean.start(in: io.saved)
struct BufferLayout {
    /// Floats of the buffers appended so far: the block's size once all are.
    private(set) var count = 0

    /// Floats `offset..<offset + count` of a block.
    struct Region {
        let offset: Int
        let count: Int

        /// The region's first float in `block`.
        @inline(__always)
        func start(in block: UnsafeMutablePointer<Float>) -> UnsafeMutablePointer<Float> { block + offset }
    }

    /// Lays out the next buffer, of `floats` floats, after those before it.
    mutating func append(_ floats: Int) -> Region {
        let region = Region(offset: count, count: floats)
        count += floats
        return region
    }
}

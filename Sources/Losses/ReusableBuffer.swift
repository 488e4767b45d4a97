/// Float storage owned by a loss that keeps its allocation from one training step to the next
/// and grows only when a larger batch arrives, so a step of the same or a smaller batch
/// allocates nothing.
final class ReusableBuffer {
    private(set) var baseAddress: UnsafeMutablePointer<Float>
    private var capacity: Int

    init() {
        capacity = 1
        baseAddress = .allocate(capacity: capacity)
    }

    deinit { baseAddress.deallocate() }

    /// A pointer to at least `count` floats. The contents are unspecified: callers overwrite.
    func reserve(_ count: Int) -> UnsafeMutablePointer<Float> {
        if count > capacity {
            baseAddress.deallocate()
            baseAddress = .allocate(capacity: count)
            capacity = count
        }
        return baseAddress
    }
}

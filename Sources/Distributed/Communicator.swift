import Support

/// The collective operations distributed training needs, over MPI or within one process.
///
/// Every rank calls the same collectives in the same order (MPI's rule); buffers are the
/// engine's flat arenas, so no copies are made.
public protocol Communicator: AnyObject {
    var rank: Int { get }
    var worldSize: Int { get }
    /// Host name of this rank, for the start-up banner.
    var hostName: String { get }

    /// Sums `buffer` element-wise over all ranks, in place.
    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws
    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) throws
    /// A handle for one non-blocking collective at a time. Make one per concurrent collective
    /// up front and reuse it every step, so starting a collective allocates nothing.
    func makeCollectiveRequest() -> CollectiveRequest
    /// Starts a sum over all ranks in place, tracked by `request` (made by this communicator's
    /// `makeCollectiveRequest`, its previous collective complete), and returns at once. The
    /// buffer must not be touched until `request` reports completion. Used to overlap the
    /// gradient all-reduce with backward.
    func startAllReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>, request: CollectiveRequest) throws
    /// Concatenates every rank's `send` (rank order) into `receive`; `counts[r]` is rank r's
    /// element count and `receive.count` their sum.
    func allGather(_ send: UnsafeBufferPointer<Float>, into receive: UnsafeMutableBufferPointer<Float>, counts: [Int]) throws
    func allGather(_ send: UnsafeBufferPointer<Int32>, into receive: UnsafeMutableBufferPointer<Int32>, counts: [Int]) throws
    /// Concatenates every rank's `send` bytes (the same count on every rank) in rank order into
    /// `receive`, which holds `worldSize * send.count` bytes.
    func allGather(bytes send: UnsafeRawBufferPointer, into receive: UnsafeMutableRawBufferPointer) throws
    /// Copies `root`'s bytes into every rank's buffer.
    func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) throws
    func barrier() throws
    /// Ends every rank of the job with `code`: the way one rank's fatal error stops the others.
    func abort(code: Int32) -> Never
    /// Shuts the transport down; call once, on every rank, before a normal exit.
    func finalize() throws
}

/// Tracks a collective started by `startAllReduceSum`; reusable once that one is complete.
public protocol CollectiveRequest: AnyObject {
    /// Lets the transport make progress (MPI progresses only inside MPI calls); true when the
    /// collective is complete, or when none was started.
    func test() throws -> Bool
    /// Blocks until the collective is complete.
    func wait() throws
}

public enum CommunicatorError: Error, CustomStringConvertible {
    /// An MPI call returned `code`; `message` is MPI's own text for it (MPI_Error_string).
    case mpiFailure(call: String, code: Int32, message: String)
    case sizeMismatch(String)
    /// A count MPI's C interface cannot take: it counts elements in 32-bit integers.
    case countOutOfRange(call: String, count: Int)
    /// A request made by another kind of communicator was passed to `startAllReduceSum`.
    case foreignRequest(String)

    public var description: String {
        switch self {
        case .mpiFailure(let call, let code, let message):
            return "\(call) failed (MPI error \(code)): \(message)"
        case .sizeMismatch(let detail):
            return "collective buffers do not match: \(detail)"
        case .countOutOfRange(let call, let count):
            return "\(call) cannot take \(count) elements: MPI counts in 32-bit integers "
                + "(at most \(Int32.max)); use smaller gradient buckets or a smaller batch."
        case .foreignRequest(let type):
            return "a \(type) cannot track an MPI collective; make the request with the "
                + "same communicator's makeCollectiveRequest()."
        }
    }
}

extension Communicator {
    public var isRoot: Bool { rank == 0 }

    /// Broadcasts a trivially copyable value (a decision, a seed) from `root`.
    public func broadcast<T: BitwiseCopyable>(_ value: T, root: Int = 0) throws -> T {
        var copy = value
        try withUnsafeMutableBytes(of: &copy) { try broadcast($0, root: root) }
        return copy
    }

    /// The element range of rank `rank`'s slice when `total` items are split as evenly as
    /// possible, the first `total % worldSize` ranks taking one more.
    public func sliceRange(total: Int, rank: Int? = nil) -> Range<Int> {
        evenSlice(total: total, parts: worldSize, part: rank ?? self.rank)
    }
}

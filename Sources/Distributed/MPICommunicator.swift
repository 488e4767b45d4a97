import CMPIBridge
import Foundation

/// A communicator over MPI_COMM_WORLD. Create at most one per process.
public final class MPICommunicator: Communicator {
    public let rank: Int
    public let worldSize: Int
    public let hostName: String
    private let world: MPI_Comm
    private var finalized = false
    // Allgatherv's per-rank counts and offsets, kept so the training step's gathers allocate nothing.
    private var gatherCounts: [Int32]
    private var gatherDisplacements: [Int32]

    public init() throws {
        var provided: Int32 = 0
        // Only the main thread calls MPI (background threads decode images), so FUNNELED.
        // A failure here is checked but in practice never returned: no communicator exists yet
        // to carry MPI_ERRORS_RETURN, and MPI's initial handler aborts the process.
        try Self.check("MPI_Init_thread", MPI_Init_thread(nil, nil, bstrain_mpi_thread_funneled(), &provided))
        world = bstrain_mpi_comm_world()
        // MPI's default handler, MPI_ERRORS_ARE_FATAL, aborts the job inside the failing call,
        // so no check below would ever see a failure. With MPI_ERRORS_RETURN the code comes back
        // and becomes a CommunicatorError naming the call. Errors that belong to no communicator
        // (MPI_Get_processor_name, MPI_Finalize) are raised on MPI_COMM_WORLD under MPI 3.1
        // (OpenMPI 4) and on MPI_COMM_SELF under MPI 4, so both get the handler.
        for communicator in [world, bstrain_mpi_comm_self()] {
            try Self.check("MPI_Comm_set_errhandler", MPI_Comm_set_errhandler(communicator, bstrain_mpi_errors_return()))
        }
        var rank: Int32 = 0
        var size: Int32 = 0
        try Self.check("MPI_Comm_rank", MPI_Comm_rank(world, &rank))
        try Self.check("MPI_Comm_size", MPI_Comm_size(world, &size))
        self.rank = Int(rank)
        self.worldSize = Int(size)
        gatherCounts = Array(repeating: 0, count: Int(size))
        gatherDisplacements = Array(repeating: 0, count: Int(size))
        var name = [CChar](repeating: 0, count: Int(MPI_MAX_PROCESSOR_NAME) + 1)
        var length: Int32 = 0
        try Self.check("MPI_Get_processor_name", MPI_Get_processor_name(&name, &length))
        hostName = string(fromMPI: name)
    }

    /// True when this process was started by mpirun (or srun with PMIx), so MPI must be used.
    public static var launchedByMPI: Bool {
        let environment = ProcessInfo.processInfo.environment
        return environment["OMPI_COMM_WORLD_SIZE"] != nil || environment["PMIX_RANK"] != nil
            || environment["PMI_RANK"] != nil
    }

    /// Throws `CommunicatorError.mpiFailure` with MPI's own text unless `code` is MPI_SUCCESS.
    static func check(_ call: String, _ code: Int32) throws {
        guard code != bstrain_mpi_success() else { return }
        throw CommunicatorError.mpiFailure(call: call, code: code, message: errorText(code))
    }

    /// MPI_Error_string's text for `code`. MPI 3.1 allows MPI_Error_string only between
    /// MPI_Init and MPI_Finalize, and OpenMPI 4 aborts the process when it is called outside
    /// them, so a failed MPI_Init_thread or MPI_Finalize is reported by its code alone.
    private static func errorText(_ code: Int32) -> String {
        var initialized: Int32 = 0
        var finalized: Int32 = 0
        guard MPI_Initialized(&initialized) == bstrain_mpi_success(), initialized != 0,
              MPI_Finalized(&finalized) == bstrain_mpi_success(), finalized == 0
        else { return "MPI gives no text outside MPI_Init…MPI_Finalize" }
        var text = [CChar](repeating: 0, count: Int(MPI_MAX_ERROR_STRING) + 1)
        var length: Int32 = 0
        guard MPI_Error_string(code, &text, &length) == bstrain_mpi_success() else {
            return "MPI has no text for this code"
        }
        return string(fromMPI: text)
    }

    /// `count` as MPI's C interface takes it (a 32-bit int), or a thrown error instead of a trap.
    static func mpiCount(_ count: Int, for call: String) throws -> Int32 {
        guard let converted = Int32(exactly: count) else {
            throw CommunicatorError.countOutOfRange(call: call, count: count)
        }
        return converted
    }

    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws {
        guard worldSize > 1, let base = buffer.baseAddress else { return }
        let count = try Self.mpiCount(buffer.count, for: "MPI_Allreduce")
        try Self.check("MPI_Allreduce", MPI_Allreduce(
            bstrain_mpi_in_place(), base, count, bstrain_mpi_float(), bstrain_mpi_sum(), world))
    }

    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) throws {
        guard worldSize > 1, let base = buffer.baseAddress else { return }
        let count = try Self.mpiCount(buffer.count, for: "MPI_Allreduce")
        try Self.check("MPI_Allreduce", MPI_Allreduce(
            bstrain_mpi_in_place(), base, count, bstrain_mpi_double(), bstrain_mpi_sum(), world))
    }

    public func makeCollectiveRequest() -> CollectiveRequest { MPIRequest() }

    public func startAllReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>, request: CollectiveRequest) throws {
        guard worldSize > 1, let base = buffer.baseAddress else { return }
        guard let pending = request as? MPIRequest else {
            throw CommunicatorError.foreignRequest(String(describing: type(of: request)))
        }
        let count = try Self.mpiCount(buffer.count, for: "MPI_Iallreduce")
        try Self.check("MPI_Iallreduce", MPI_Iallreduce(
            bstrain_mpi_in_place(), base, count, bstrain_mpi_float(), bstrain_mpi_sum(), world, &pending.request))
    }

    public func allGather(_ send: UnsafeBufferPointer<Float>, into receive: UnsafeMutableBufferPointer<Float>, counts: [Int]) throws {
        try gather(UnsafeRawPointer(send.baseAddress), send.count, UnsafeMutableRawPointer(receive.baseAddress),
                   receive.count, counts, bstrain_mpi_float())
    }

    public func allGather(_ send: UnsafeBufferPointer<Int32>, into receive: UnsafeMutableBufferPointer<Int32>, counts: [Int]) throws {
        try gather(UnsafeRawPointer(send.baseAddress), send.count, UnsafeMutableRawPointer(receive.baseAddress),
                   receive.count, counts, bstrain_mpi_int32())
    }

    public func allGather(bytes send: UnsafeRawBufferPointer, into receive: UnsafeMutableRawBufferPointer) throws {
        guard receive.count == send.count * worldSize else {
            throw CommunicatorError.sizeMismatch("rank \(rank) gathers \(send.count) bytes from each of \(worldSize) ranks into \(receive.count)")
        }
        let count = try Self.mpiCount(send.count, for: "MPI_Allgather")
        try Self.check("MPI_Allgather", MPI_Allgather(
            send.baseAddress, count, bstrain_mpi_byte(), receive.baseAddress, count, bstrain_mpi_byte(), world))
    }

    private func gather(_ send: UnsafeRawPointer?, _ sendCount: Int, _ receive: UnsafeMutableRawPointer?,
                        _ receiveCount: Int, _ counts: [Int], _ type: MPI_Datatype) throws {
        guard counts.count == worldSize, counts[rank] == sendCount, counts.reduce(0, +) == receiveCount else {
            throw CommunicatorError.sizeMismatch(
                "rank \(rank) sends \(sendCount) with counts \(counts) into \(receiveCount)")
        }
        var offset = 0
        for r in 0..<worldSize {
            gatherCounts[r] = try Self.mpiCount(counts[r], for: "MPI_Allgatherv")
            gatherDisplacements[r] = try Self.mpiCount(offset, for: "MPI_Allgatherv")
            offset += counts[r]
        }
        let count = try Self.mpiCount(sendCount, for: "MPI_Allgatherv")
        try Self.check("MPI_Allgatherv", MPI_Allgatherv(
            send, count, type, receive, &gatherCounts, &gatherDisplacements, type, world))
    }

    public func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) throws {
        guard worldSize > 1, let base = buffer.baseAddress else { return }
        let count = try Self.mpiCount(buffer.count, for: "MPI_Bcast")
        // An out-of-range root comes back from MPI as MPI_ERR_ROOT; clamping only keeps the
        // conversion from trapping first.
        try Self.check("MPI_Bcast", MPI_Bcast(base, count, bstrain_mpi_byte(), Int32(clamping: root), world))
    }

    public func barrier() throws {
        try Self.check("MPI_Barrier", MPI_Barrier(world))
    }

    public func abort(code: Int32) -> Never {
        fflush(nil)
        // MPI_Abort returns only when it failed; this rank then exits alone, saying why, and
        // mpirun ends the others when it sees a rank exit without finalising.
        do { try Self.check("MPI_Abort", MPI_Abort(world, code)) } catch {
            FileHandle.standardError.write(Data("bstrain (rank \(rank)): \(error)\n".utf8))
        }
        exit(code)
    }

    public func finalize() throws {
        guard !finalized else { return }
        finalized = true
        try Self.check("MPI_Finalize", MPI_Finalize())
    }
}

/// An MPI_Request; MPI resets it to MPI_REQUEST_NULL on completion, so it can be reused.
final class MPIRequest: CollectiveRequest {
    var request: MPI_Request? = bstrain_mpi_request_null()

    func test() throws -> Bool {
        var flag: Int32 = 0
        try MPICommunicator.check("MPI_Test", MPI_Test(&request, &flag, bstrain_mpi_status_ignore()))
        return flag != 0
    }

    func wait() throws {
        try MPICommunicator.check("MPI_Wait", MPI_Wait(&request, bstrain_mpi_status_ignore()))
    }
}

/// The text of a NUL-terminated buffer MPI filled in (a processor name, an error string).
private func string(fromMPI characters: [CChar]) -> String {
    String(decoding: characters.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// The communicator for this process: MPI when started by mpirun, otherwise a single rank.
public func makeCommunicator() throws -> Communicator {
    MPICommunicator.launchedByMPI ? try MPICommunicator() : SingleProcessCommunicator()
}

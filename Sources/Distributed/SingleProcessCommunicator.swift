import Foundation

/// One rank, no MPI: every collective is the identity. bstrain started without mpirun uses it.
public final class SingleProcessCommunicator: Communicator {
    public init() {}

    public var rank: Int { 0 }
    public var worldSize: Int { 1 }
    public var hostName: String { ProcessInfo.processInfo.hostName }

    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws {}
    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) throws {}

    public func makeCollectiveRequest() -> CollectiveRequest { CompletedCollective() }
    public func startAllReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>, request: CollectiveRequest) throws {}

    public func allGather(_ send: UnsafeBufferPointer<Float>, into receive: UnsafeMutableBufferPointer<Float>, counts: [Int]) throws {
        try copyWhole(send, into: receive)
    }

    public func allGather(_ send: UnsafeBufferPointer<Int32>, into receive: UnsafeMutableBufferPointer<Int32>, counts: [Int]) throws {
        try copyWhole(send, into: receive)
    }

    public func allGather(bytes send: UnsafeRawBufferPointer, into receive: UnsafeMutableRawBufferPointer) throws {
        guard send.count == receive.count else {
            throw CommunicatorError.sizeMismatch("gather of \(send.count) bytes into \(receive.count)")
        }
        receive.copyMemory(from: send)
    }

    private func copyWhole<T>(_ send: UnsafeBufferPointer<T>, into receive: UnsafeMutableBufferPointer<T>) throws {
        guard send.count == receive.count else {
            throw CommunicatorError.sizeMismatch("gather of \(send.count) elements into \(receive.count)")
        }
        if let source = send.baseAddress, let target = receive.baseAddress, source != UnsafePointer(target) {
            target.update(from: source, count: send.count)
        }
    }

    public func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) throws {}
    public func barrier() throws {}
    public func abort(code: Int32) -> Never { exit(code) }
    public func finalize() {}
}

/// One rank's collectives are complete as soon as they start.
final class CompletedCollective: CollectiveRequest {
    func test() throws -> Bool { true }
    func wait() throws {}
}

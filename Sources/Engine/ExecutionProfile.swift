import Foundation

/// Seconds spent in each node's forward and backward, accumulated over calls.
public final class ExecutionProfile {
    public internal(set) var forwardSeconds: [Double]
    public internal(set) var backwardSeconds: [Double]

    public init(nodeCount: Int) {
        forwardSeconds = Array(repeating: 0, count: nodeCount)
        backwardSeconds = Array(repeating: 0, count: nodeCount)
    }

    public func reset() {
        for index in forwardSeconds.indices {
            forwardSeconds[index] = 0
            backwardSeconds[index] = 0
        }
    }

    @inline(__always)
    func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

}

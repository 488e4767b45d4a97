import Foundation

/// A monotonic clock reading in seconds: cheap, and allocation-free inside the training step.
@inlinable
public func monotonicSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}

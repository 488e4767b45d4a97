import Engine
import Foundation
import MallocInterposerSwift
import Testing

// The interposer counts every thread's allocations into one total, and Swift Testing runs
// other tests on other threads meanwhile; its per-allocation hook runs on the allocating
// thread, so counting there, for the measured thread only, isolates the code under test.
nonisolated(unsafe) private var measuredThread = pthread_self()
nonisolated(unsafe) private var measuredAllocations = 0
private let measurement = NSLock()

/// Heap allocations (malloc, calloc, realloc, posix_memalign, ...) the calling thread makes
/// while `body` runs; allocations by other threads are not counted.
func heapAllocationsOnThisThread(during body: () -> Void) -> Int {
    measurement.lock()
    defer { measurement.unlock() }
    measuredThread = pthread_self()
    measuredAllocations = 0
    MallocInterposerSwift.setAllocationHook { _ in
        if pthread_equal(pthread_self(), measuredThread) != 0 { measuredAllocations += 1 }
    }
    MallocInterposerSwift.hook()
    body()
    MallocInterposerSwift.unhook()
    MallocInterposerSwift.setAllocationHook(nil)
    return measuredAllocations
}

/// Checks that an operation's forward and backward, after a first call, allocate nothing on
/// the heap in training or inference mode: the executor's training step must not.
func expectNoHeapAllocation(
    _ operation: any Engine.Operation, batch: Int = 2, sourceLocation: SourceLocation = #_sourceLocation
) {
    let harness = OperationHarness(operation, batch: batch)
    for training in [true, false] {
        let context = RunContext(batch: batch, training: training, threads: 1)
        harness.withIO { io in
            operation.forward(io, context)
            operation.backward(io, context)
            let allocations = heapAllocationsOnThisThread {
                operation.forward(io, context)
                operation.backward(io, context)
            }
            #expect(allocations == 0, "\(type(of: operation)) allocated \(allocations) times (training: \(training))",
                    sourceLocation: sourceLocation)
        }
    }
}

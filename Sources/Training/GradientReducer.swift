import Distributed
import Engine
import Support

/// Runs backward and sums the parameter gradients over ranks, overlapping the two.
///
/// The flat gradient arena is cut into buckets of `bucketFloats` from its end: backward
/// finishes the last layers first, and they own the end of the arena. A bucket's non-blocking
/// all-reduce starts as soon as `Executor.onGradientsFinal` reports every gradient in it final,
/// and the requests in flight are tested between nodes, because MPI progresses only inside MPI
/// calls. All are waited for before `backwardAndReduce` returns, so the optimizer sees the sums.
/// The shares are summed, never averaged (docs/method.md, "Gradients are summed, not averaged"). Allocates nothing after construction.
final class GradientReducer {
    let executor: Executor
    let communicator: Communicator
    /// Arena ranges in launch order: the last `bucketFloats` first, then the ones before.
    let buckets: [Range<Int>]
    /// Seconds of the last step spent inside communication calls (starts, tests, waits).
    private(set) var communicationSeconds: Double = 0

    private let requests: [CollectiveRequest]
    private var reducing = false
    private var launched = 0
    private var completed = 0
    private var failure: Error?

    init(executor: Executor, communicator: Communicator, bucketFloats: Int) {
        self.executor = executor
        self.communicator = communicator
        let reduces = communicator.worldSize > 1
        buckets = reduces ? Self.buckets(arenaCount: executor.parameterGradients.count, bucketFloats: bucketFloats) : []
        requests = buckets.map { _ in communicator.makeCollectiveRequest() }
        if reduces {
            executor.onGradientsFinal = { [unowned self] firstFinalOffset in
                self.gradientsFinal(from: firstFinalOffset)
            }
        }
    }

    deinit {
        if !buckets.isEmpty { executor.onGradientsFinal = nil }
    }

    /// The arena `0..<arenaCount` cut into ranges of `bucketFloats` from the end, in that order;
    /// the first range of the arena takes the remainder.
    static func buckets(arenaCount: Int, bucketFloats: Int) -> [Range<Int>] {
        let size = max(1, bucketFloats)
        return stride(from: arenaCount, to: 0, by: -size).map { end in max(0, end - size)..<end }
    }

    func backwardAndReduce(_ context: RunContext) throws {
        communicationSeconds = 0
        guard !buckets.isEmpty else {
            executor.backward(context)
            return
        }
        launched = 0
        completed = 0
        failure = nil
        reducing = true
        executor.backward(context)
        reducing = false
        let start = monotonicSeconds()
        defer { communicationSeconds += monotonicSeconds() - start }
        if let failure { throw failure }
        // Backward reports offset 0 after its last node, so every bucket has started.
        precondition(launched == buckets.count, "backward left gradient buckets unreported")
        while completed < launched {
            try requests[completed].wait()
            completed += 1
        }
    }

    /// Backward's report: every gradient from `firstFinalOffset` on is final. Backward cannot
    /// throw, so a failure is kept for `backwardAndReduce` to throw.
    private func gradientsFinal(from firstFinalOffset: Int) {
        guard reducing, failure == nil else { return }
        let start = monotonicSeconds()
        defer { communicationSeconds += monotonicSeconds() - start }
        do { try launchBuckets(finalFrom: firstFinalOffset) } catch { failure = error }
    }

    /// Starts every bucket lying wholly at or after `firstFinalOffset`, then lets the ones in
    /// flight progress.
    private func launchBuckets(finalFrom firstFinalOffset: Int) throws {
        while launched < buckets.count, buckets[launched].lowerBound >= firstFinalOffset {
            let bucket = UnsafeMutableBufferPointer(rebasing: executor.parameterGradients[buckets[launched]])
            try communicator.startAllReduceSum(bucket, request: requests[launched])
            launched += 1
        }
        // Testing the oldest request drives MPI's progress engine for all of them.
        while completed < launched, try requests[completed].test() { completed += 1 }
    }
}

import Dispatch

/// Splits `0..<count` into at most `threads` contiguous chunks and runs `body` on each,
/// concurrently when `threads > 1`. With one thread it runs inline, without touching Dispatch.
@inlinable
public func parallelFor(
    _ count: Int, threads: Int, minimumChunk: Int = 1,
    _ body: (Range<Int>) -> Void
) {
    guard count > 0 else { return }
    let chunks = min(max(1, threads), max(1, count / max(1, minimumChunk)))
    if chunks == 1 {
        body(0..<count)
        return
    }
    withoutActuallyEscaping(body) { body in
        // The chunks write disjoint ranges; callers guarantee that, so the closure may be
        // shared across threads although the pointers it captures are not Sendable.
        nonisolated(unsafe) let body = body
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let start = count * chunk / chunks
            let end = count * (chunk + 1) / chunks
            body(start..<end)
        }
    }
}

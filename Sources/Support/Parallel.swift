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

/// `parallelFor` that also tells `body` which of the `blocks` (at most) contiguous blocks it
/// runs, 0 first, so each can use a buffer of its own.
public func parallelForBlocks(_ count: Int, blocks: Int, _ body: (_ block: Int, _ range: Range<Int>) -> Void) {
    guard count > 0 else { return }
    let blocks = min(max(1, blocks), count)
    if blocks == 1 {
        body(0, 0..<count)
        return
    }
    withoutActuallyEscaping(body) { body in
        // The blocks write disjoint ranges and buffers; see parallelFor.
        nonisolated(unsafe) let body = body
        DispatchQueue.concurrentPerform(iterations: blocks) { block in
            body(block, count * block / blocks..<count * (block + 1) / blocks)
        }
    }
}

import Engine
import Losses

/// The `k` most similar gallery embeddings of each query by cosine similarity, by exact search:
/// both sides are L2-normalised (`L2Normalization`) and each block of queries is compared with
/// the whole gallery in one SGEMM, S = q̂ ĝᵀ, then each row of S is ranked.
public struct NearestNeighbours: Sendable {
    public let queryCount: Int
    /// Neighbours kept per query: the `k` asked for, at most the gallery's size (less the query
    /// itself in leave-one-out).
    public let k: Int
    /// (queryCount, k) gallery indices, most similar first; equal similarities in gallery order.
    public let indices: [Int]
    /// (queryCount, k) cosine similarities matching `indices`.
    public let similarities: [Float]

    /// Queries compared with the gallery per SGEMM: bounds S's block at this many gallery rows.
    static let queryBlock = 256

    /// Neighbours of each query ((queryCount, width)) among the gallery ((galleryCount, width)).
    public static func search(queries: [Float], gallery: [Float], width: Int, k: Int) -> NearestNeighbours {
        search(queries: queries, gallery: gallery, width: width, k: k, leaveOneOut: false)
    }

    /// Neighbours of each embedding among the others of the same set: itself excluded, as when
    /// a labelled set is its own gallery.
    public static func leaveOneOut(embeddings: [Float], width: Int, k: Int) -> NearestNeighbours {
        search(queries: embeddings, gallery: embeddings, width: width, k: k, leaveOneOut: true)
    }

    private static func search(queries: [Float], gallery: [Float], width: Int, k: Int, leaveOneOut: Bool) -> NearestNeighbours {
        precondition(width > 0 && queries.count % width == 0 && gallery.count % width == 0, "embeddings of width \(width)")
        let queryCount = queries.count / width
        let galleryCount = gallery.count / width
        let kept = max(0, min(k, galleryCount - (leaveOneOut ? 1 : 0)))
        let normalizedQueries = normalized(queries, width: width)
        let normalizedGallery = leaveOneOut ? normalizedQueries : normalized(gallery, width: width)
        var indices = [Int](repeating: 0, count: queryCount * kept)
        var similarities = [Float](repeating: 0, count: queryCount * kept)
        // (block, galleryCount) S for one block of queries.
        var block = [Float](repeating: 0, count: min(queryBlock, queryCount) * galleryCount)
        var order = [Int](repeating: 0, count: galleryCount)
        for start in stride(from: 0, to: queryCount, by: queryBlock) {
            let rows = min(queryBlock, queryCount - start)
            normalizedQueries.withUnsafeBufferPointer { q in
                normalizedGallery.withUnsafeBufferPointer { g in
                    block.withUnsafeMutableBufferPointer { s in
                        BLAS.sgemm(
                            transposeB: true, m: rows, n: galleryCount, k: width,
                            a: q.baseAddress! + start * width, lda: width, b: g.baseAddress!, ldb: width,
                            beta: 0, c: s.baseAddress!, ldc: galleryCount)
                    }
                }
            }
            for row in 0..<rows {
                let query = start + row
                let offset = row * galleryCount
                for index in 0..<galleryCount { order[index] = index }
                order.sort { block[offset + $0] > block[offset + $1] || (block[offset + $0] == block[offset + $1] && $0 < $1) }
                var rank = 0
                for index in order where rank < kept && !(leaveOneOut && index == query) {
                    indices[query * kept + rank] = index
                    similarities[query * kept + rank] = block[offset + index]
                    rank += 1
                }
            }
        }
        return NearestNeighbours(queryCount: queryCount, k: kept, indices: indices, similarities: similarities)
    }

    private static func normalized(_ rows: [Float], width: Int) -> [Float] {
        guard !rows.isEmpty else { return [] }
        return [Float](unsafeUninitializedCapacity: rows.count) { target, initialized in
            rows.withUnsafeBufferPointer { source in
                L2Normalization.normalizeRows(source.baseAddress!, count: rows.count / width, width: width, into: target.baseAddress!)
            }
            initialized = rows.count
        }
    }
}

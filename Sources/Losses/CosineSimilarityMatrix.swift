import Engine

/// S = f̂ f̂ᵀ for the L2-normalised embeddings f̂_i = f_i / max(‖f_i‖, ε) of a batch, and the
/// way back from dL/dS to dL/df. The metric losses read S (or distances derived from it) and
/// write dL/dS; both directions are one SGEMM each, O(N_b²·l).
final class CosineSimilarityMatrix {
    /// Floor on the norm (`L2Normalization.epsilon`): a zero embedding normalises to zero, and
    /// its gradient is dL/df̂ / ε (the clamped branch's exact Jacobian).
    static let epsilon = L2Normalization.epsilon

    private let normalizedStorage = ReusableBuffer()
    private let normStorage = ReusableBuffer()
    private let similarityStorage = ReusableBuffer()
    private let similarityGradientStorage = ReusableBuffer()

    private(set) var count = 0
    private(set) var width = 0
    /// (N, l) f̂.
    var normalized: UnsafeMutablePointer<Float> { normalizedStorage.baseAddress }
    /// (N) ‖f_i‖.
    var norms: UnsafeMutablePointer<Float> { normStorage.baseAddress }
    /// (N, N) S_ij = f̂_i · f̂_j.
    var similarity: UnsafeMutablePointer<Float> { similarityStorage.baseAddress }
    /// (N, N) dL/dS, zeroed by `compute`; S_ij and S_ji count as separate entries.
    var similarityGradient: UnsafeMutablePointer<Float> { similarityGradientStorage.baseAddress }

    /// Normalises `embeddings` ((count, width)) and fills `similarity`; zeroes `similarityGradient`.
    func compute(embeddings: UnsafePointer<Float>, count: Int, width: Int) {
        self.count = count
        self.width = width
        let normalized = normalizedStorage.reserve(count * width)
        let norms = normStorage.reserve(count)
        let similarity = similarityStorage.reserve(count * count)
        similarityGradientStorage.reserve(count * count).update(repeating: 0, count: count * count)

        L2Normalization.normalizeRows(embeddings, count: count, width: width, into: normalized, norms: norms)
        BLAS.sgemm(
            transposeB: true, m: count, n: count, k: width,
            a: normalized, lda: width, b: normalized, ldb: width,
            beta: 0, c: similarity, ldc: count)
    }

    /// Writes dL/df ((count, width)) from the dL/dS the loss left in `similarityGradient`.
    func backpropagate(into gradient: UnsafeMutablePointer<Float>) {
        let dS = similarityGradient
        // S = f̂ f̂ᵀ, so dL/df̂ = (dS + dSᵀ) f̂.
        for row in 0..<count {
            for column in 0..<row {
                let sum = dS[row * count + column] + dS[column * count + row]
                dS[row * count + column] = sum
                dS[column * count + row] = sum
            }
            dS[row * count + row] *= 2
        }
        BLAS.sgemm(
            m: count, n: width, k: count,
            a: dS, lda: count, b: normalized, ldb: width,
            beta: 0, c: gradient, ldc: width)

        // Through f̂ = f / max(‖f‖, ε): (g − f̂ (f̂·g)) / ‖f‖ above the floor, g / ε on it.
        for row in 0..<count {
            let unit = normalized + row * width
            let rowGradient = gradient + row * width
            let norm = norms[row]
            if norm > Self.epsilon {
                var projection: Float = 0
                for column in 0..<width { projection += unit[column] * rowGradient[column] }
                let scale = 1 / norm
                for column in 0..<width {
                    rowGradient[column] = (rowGradient[column] - unit[column] * projection) * scale
                }
            } else {
                let scale = 1 / Self.epsilon
                for column in 0..<width { rowGradient[column] *= scale }
            }
        }
    }
}

import Engine
import Foundation
import Support

/// The top two principal components of a set of embeddings and the embeddings projected onto
/// them, for the 2-D picture of the embedding space (paper figure 6).
///
/// Method: block subspace iteration with Rayleigh-Ritz, as in sklearn's randomized PCA (a block
/// of the 2 wanted directions plus 10 spare ones, so the pair converges at the rate
/// λ₁₃/λ₂ rather than λ₃/λ₂, which is near 1 for the flat spectrum of trained embeddings). The
/// covariance is applied as Xᵀ(X V) with SGEMM, never formed as a D x D matrix. Iteration stops
/// when the variance the top pair captures stops growing (by less than 1e-6 of itself); the
/// picture cannot change after that even where the directions still turn slowly.
/// Deterministic: a fixed start, and each component's sign chosen so that its largest-magnitude
/// entry is positive (sklearn's `svd_flip` convention).
public struct PCA: Sendable {
    /// Number of embeddings (N) and their width (D).
    public let sampleCount: Int
    public let dimension: Int
    /// (D) the mean embedding, subtracted before projecting.
    public let mean: [Double]
    /// (2, D) row-major: the unit principal directions, largest variance first.
    public let components: [Double]
    /// (2) variance along each component over the total variance (0 when there is none).
    public let explainedVarianceRatio: [Double]
    /// (N, 2) row-major: each embedding's coordinates along the two components.
    public let coordinates: [Float]

    static let blockWidth = 12
    static let maximumIterations = 300
    /// Above the float rounding of SGEMM (about 1e-7 of the captured variance).
    static let convergenceTolerance = 1e-6

    /// Fits the components of `embeddings` ((sampleCount, dimension) row-major) and projects
    /// them. With fewer than two directions of variance (all points equal or on a line) the
    /// missing component is still a unit vector orthogonal to the other, with coordinates 0.
    public init(embeddings: [Float], sampleCount: Int, dimension: Int) {
        precondition(sampleCount >= 1 && dimension >= 2, "PCA to 2-D needs at least 1 sample of width 2")
        precondition(embeddings.count == sampleCount * dimension, "embeddings must be (sampleCount, dimension)")
        self.sampleCount = sampleCount
        self.dimension = dimension

        var mean = [Double](repeating: 0, count: dimension)
        for sample in 0..<sampleCount {
            for column in 0..<dimension { mean[column] += Double(embeddings[sample * dimension + column]) }
        }
        mean = mean.map { $0 / Double(sampleCount) }
        let covariance = CovarianceOperator(embeddings: embeddings, mean: mean, sampleCount: sampleCount)

        let top = leadingPair(of: covariance)
        self.mean = mean
        let directions = top.vectors.map(largestEntryPositive)
        self.components = directions.flatMap { $0 }
        self.explainedVarianceRatio = top.values.map {
            covariance.totalVariance > 0 ? min(max($0 / covariance.totalVariance, 0), 1) : 0
        }
        self.coordinates = covariance.project(onto: directions)
    }
}

/// The two leading eigenpairs of the covariance, by block subspace iteration.
private func leadingPair(of covariance: CovarianceOperator) -> (vectors: [[Double]], values: [Double]) {
    var basis = orthonormalized(startBasis(width: min(PCA.blockWidth, covariance.dimension), dimension: covariance.dimension))
    var captured = -Double.infinity
    var iteration = 0
    while true {
        iteration += 1
        let image = covariance.apply(basis)
        let top = rayleighRitz(basis, image: image)
        let variance = top.values[0] + top.values[1]
        if variance - captured <= PCA.convergenceTolerance * variance || iteration == PCA.maximumIterations {
            return top
        }
        captured = variance
        basis = orthonormalized(image)
    }
}

/// X, the centred embeddings (N, D) in float for SGEMM, and v ↦ Xᵀ(X v): the covariance up to
/// the factor 1/(N − 1), which changes neither the directions nor the variance ratios.
private struct CovarianceOperator {
    let centred: [Float]
    let sampleCount: Int
    let dimension: Int
    /// Σ of the squared centred entries: the trace of Xᵀ X.
    let totalVariance: Double

    init(embeddings: [Float], mean: [Double], sampleCount: Int) {
        let dimension = mean.count
        var centred = [Float](repeating: 0, count: embeddings.count)
        var total = 0.0
        for index in embeddings.indices {
            // Centred in double: a float subtraction of a large mean would lose the small spread.
            let value = Double(embeddings[index]) - mean[index % dimension]
            centred[index] = Float(value)
            total += value * value
        }
        self.centred = centred
        self.sampleCount = sampleCount
        self.dimension = dimension
        self.totalVariance = total
    }

    /// Xᵀ X v for each vector of `basis`.
    func apply(_ basis: [[Double]]) -> [[Double]] {
        let width = basis.count
        let vectors = columnMajorFloats(basis)  // (D, width)
        var projected = [Float](repeating: 0, count: sampleCount * width)  // (N, width) X V
        var image = [Float](repeating: 0, count: dimension * width)  // (D, width) Xᵀ X V
        centred.withUnsafeBufferPointer { x in
            vectors.withUnsafeBufferPointer { v in
                projected.withUnsafeMutableBufferPointer { y in
                    BLAS.sgemm(m: sampleCount, n: width, k: dimension, a: x.baseAddress!, lda: dimension,
                               b: v.baseAddress!, ldb: width, beta: 0, c: y.baseAddress!, ldc: width)
                }
            }
            projected.withUnsafeBufferPointer { y in
                image.withUnsafeMutableBufferPointer { w in
                    BLAS.sgemm(transposeA: true, m: dimension, n: width, k: sampleCount, a: x.baseAddress!,
                               lda: dimension, b: y.baseAddress!, ldb: width, beta: 0, c: w.baseAddress!, ldc: width)
                }
            }
        }
        return (0..<width).map { column in (0..<dimension).map { Double(image[$0 * width + column]) } }
    }

    /// (N, directions.count) row-major coordinates X u of every embedding along each direction.
    func project(onto directions: [[Double]]) -> [Float] {
        let width = directions.count
        let vectors = columnMajorFloats(directions)
        var coordinates = [Float](repeating: 0, count: sampleCount * width)
        centred.withUnsafeBufferPointer { x in
            vectors.withUnsafeBufferPointer { u in
                coordinates.withUnsafeMutableBufferPointer { c in
                    BLAS.sgemm(m: sampleCount, n: width, k: dimension, a: x.baseAddress!, lda: dimension,
                               b: u.baseAddress!, ldb: width, beta: 0, c: c.baseAddress!, ldc: width)
                }
            }
        }
        return coordinates
    }

    /// (D, vectors.count) row-major: the vectors side by side as columns.
    private func columnMajorFloats(_ vectors: [[Double]]) -> [Float] {
        var matrix = [Float](repeating: 0, count: dimension * vectors.count)
        for (column, vector) in vectors.enumerated() {
            for row in 0..<dimension { matrix[row * vectors.count + column] = Float(vector[row]) }
        }
        return matrix
    }
}

/// A fixed, generic start: a smooth pattern could be orthogonal to a real component, so the
/// entries are pseudo-random, from a fixed seed.
private func startBasis(width: Int, dimension: Int) -> [[Double]] {
    var generator = SplitMix64(seed: 0x5CA)
    return (0..<width).map { _ in (0..<dimension).map { _ in Double(generator.nextUniform()) - 0.5 } }
}

private func dot(_ a: [Double], _ b: [Double]) -> Double {
    zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
}

/// `vector` minus its components along the orthonormal `basis`.
private func orthogonalComplement(of vector: [Double], to basis: [[Double]]) -> [Double] {
    var remainder = vector
    for kept in basis {
        let overlap = dot(remainder, kept)
        remainder = zip(remainder, kept).map { $0 - overlap * $1 }
    }
    return remainder
}

/// Modified Gram-Schmidt. A vector that (nearly) vanishes, because the data have fewer
/// directions of variance than the block, is replaced by the first coordinate axis not yet in
/// the span, so the basis always keeps its width.
private func orthonormalized(_ vectors: [[Double]]) -> [[Double]] {
    let dimension = vectors[0].count
    let scale = vectors.map { dot($0, $0).squareRoot() }.max() ?? 0
    var basis: [[Double]] = []
    for vector in vectors {
        var candidate = orthogonalComplement(of: vector, to: basis)
        var norm = dot(candidate, candidate).squareRoot()
        // 1e-6: float SGEMM leaves noise of about 1e-7 of the scale in a vanished direction.
        if norm <= 1e-6 * scale || norm == 0 {
            for axis in 0..<dimension {
                var unit = [Double](repeating: 0, count: dimension)
                unit[axis] = 1
                candidate = orthogonalComplement(of: unit, to: basis)
                norm = dot(candidate, candidate).squareRoot()
                if norm > 0.5 { break }
            }
        }
        basis.append(candidate.map { $0 / norm })
    }
    return basis
}

/// The two leading eigenpairs of the covariance restricted to the span of the orthonormal
/// `basis`, given `image` = C applied to each basis vector: the eigenvectors of H = Vᵀ C V,
/// lifted back by V. Values are sums of squares along each direction.
private func rayleighRitz(_ basis: [[Double]], image: [[Double]]) -> (vectors: [[Double]], values: [Double]) {
    let width = basis.count
    var projected = [[Double]](repeating: [Double](repeating: 0, count: width), count: width)
    for row in 0..<width {
        for column in row..<width {
            // Symmetrised: rounding makes vᵢ·C vⱼ and vⱼ·C vᵢ differ slightly.
            let value = (dot(basis[row], image[column]) + dot(basis[column], image[row])) / 2
            projected[row][column] = value
            projected[column][row] = value
        }
    }
    let (values, vectors) = symmetricEigen(projected)
    let order = values.indices.sorted { values[$0] > values[$1] }.prefix(2)
    let lifted = order.map { index in
        (0..<basis[0].count).map { entry in (0..<width).reduce(0.0) { $0 + basis[$1][entry] * vectors[$1][index] } }
    }
    return (lifted, order.map { values[$0] })
}

/// Eigenvalues and eigenvectors (`vectors[row][k]`, column k for value k) of a small
/// symmetric matrix, by cyclic Jacobi rotations (Numerical Recipes §11.1).
private func symmetricEigen(_ matrix: [[Double]]) -> (values: [Double], vectors: [[Double]]) {
    let size = matrix.count
    var a = matrix
    var v = (0..<size).map { row in (0..<size).map { $0 == row ? 1.0 : 0.0 } }
    let scale = a.joined().reduce(0) { $0 + $1 * $1 }
    for _ in 0..<100 {
        var offDiagonal = 0.0
        for p in 0..<size { for q in 0..<size where q != p { offDiagonal += a[p][q] * a[p][q] } }
        if offDiagonal <= 1e-30 * scale { break }
        for p in 0..<size - 1 {
            for q in p + 1..<size where a[p][q] != 0 {
                let theta = (a[q][q] - a[p][p]) / (2 * a[p][q])
                let t = abs(theta) > 1e150
                    ? 1 / (2 * theta)
                    : (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
                let c = 1 / (t * t + 1).squareRoot()
                let s = t * c
                for k in 0..<size {
                    (a[k][p], a[k][q]) = (c * a[k][p] - s * a[k][q], s * a[k][p] + c * a[k][q])
                }
                for k in 0..<size {
                    (a[p][k], a[q][k]) = (c * a[p][k] - s * a[q][k], s * a[p][k] + c * a[q][k])
                }
                for k in 0..<size {
                    (v[k][p], v[k][q]) = (c * v[k][p] - s * v[k][q], s * v[k][p] + c * v[k][q])
                }
            }
        }
    }
    return ((0..<size).map { a[$0][$0] }, v)
}

private func largestEntryPositive(_ vector: [Double]) -> [Double] {
    let largest = vector.indices.max { abs(vector[$0]) < abs(vector[$1]) }!
    return vector[largest] < 0 ? vector.map { -$0 } : vector
}

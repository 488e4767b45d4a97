/// The batch-similarity triplet loss (BSTriplet) of Huang et al. 2021, eqs. 2-4.
///
/// With f̂ the L2-normalised embeddings, S = f̂ f̂ᵀ and D = S ⊙ (2B − 1) (B_ij = 1 for equal
/// labels, diagonal 0), row i has positives P_i = {j ≠ i : y_j = y_i} and negatives
/// Q_i = {k : y_k ≠ y_i}, and
///
///     L_i = max(0, m − mean_{j∈P_i} g(D_ij) − mean_{k∈Q_i} g(D_ik)),   L = mean_i L_i,
///
/// where a mean over an empty set is dropped (single-class batches and rows without
/// positives are valid). For embeddings with non-negative entries (pooled post-activation
/// features) 0 ≤ L ≤ 1 + m with the signed square; for arbitrary signs L ≤ 2 + m.
public final class BatchSimilarityTripletLoss: CosineSimilarityLoss {
    /// The square g of eq. 3.
    public enum Square: String, CaseIterable, Sendable {
        /// g(x) = x·|x|, the default: the paper's D⁺ > 0, D⁻ < 0 and its bound L ≤ 1 + m hold
        /// only if the sign survives the square (docs/method.md, "The square g").
        case signed
        /// g(x) = x², the literal text; it rewards negatives for being similar (ablation).
        case plain
        /// g(x) = x, no square (ablation).
        case linear

        @inline(__always)
        func value(_ x: Float) -> Float {
            switch self {
            case .signed: return x * abs(x)
            case .plain: return x * x
            case .linear: return x
            }
        }

        @inline(__always)
        func derivative(_ x: Float) -> Float {
            switch self {
            case .signed: return 2 * abs(x)
            case .plain: return 2 * x
            case .linear: return 1
            }
        }
    }

    /// m: the paper asks for a value "near 1" without giving one (docs/method.md, "Margin").
    public static let defaultMargin: Float = 0.9

    public var kind: MetricLossKind { .bst }
    /// m ∈ [0, 1].
    public let margin: Float
    public let square: Square
    let cosine = CosineSimilarityMatrix()

    /// - Throws: `LossError.marginOutOfRange` unless 0 ≤ `margin` ≤ 1.
    public init(margin: Float = defaultMargin, square: Square = .signed) throws {
        self.margin = try MetricLossKind.bst.checkedMargin(margin)
        self.square = square
    }

    func evaluate(
        similarity: UnsafePointer<Float>, labels: UnsafePointer<Int32>, count: Int,
        similarityGradient: UnsafeMutablePointer<Float>?
    ) -> SimilarityLossValue {
        let rowWeight = 1 / Float(count)

        var total: Double = 0
        for i in 0..<count {
            let row = similarity + i * count
            var positives = 0, negatives = 0
            var positiveSum: Double = 0, negativeSum: Double = 0
            for j in 0..<count where j != i {
                // D_ij = S_ij for a positive pair, −S_ij for a negative one.
                if labels[j] == labels[i] {
                    positives += 1
                    positiveSum += Double(square.value(row[j]))
                } else {
                    negatives += 1
                    negativeSum += Double(square.value(-row[j]))
                }
            }
            var hinge = Double(margin)
            if positives > 0 { hinge -= positiveSum / Double(positives) }
            if negatives > 0 { hinge -= negativeSum / Double(negatives) }
            guard hinge > 0 else { continue }
            total += hinge
            guard let similarityGradient else { continue }

            // dL/dS_ij = −(1/N)(1/|P_i|) g'(S_ij) for positives, +(1/N)(1/|Q_i|) g'(−S_ij)
            // for negatives (dD/dS = −1 there).
            let positiveWeight = rowWeight / Float(max(positives, 1))
            let negativeWeight = rowWeight / Float(max(negatives, 1))
            let rowGradient = similarityGradient + i * count
            for j in 0..<count where j != i {
                if labels[j] == labels[i] {
                    rowGradient[j] = -positiveWeight * square.derivative(row[j])
                } else {
                    rowGradient[j] = negativeWeight * square.derivative(-row[j])
                }
            }
        }
        return .mean(Float(total / Double(count)))
    }
}

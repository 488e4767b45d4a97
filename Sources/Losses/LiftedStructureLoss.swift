import Foundation

/// The improved (smooth) lifted structure loss of Song, Xiang, Jegelka and Savarese,
/// "Deep Metric Learning via Lifted Structured Feature Embedding", CVPR 2016, a baseline of
/// Huang et al.'s Table 4. Over the positive pairs P (unordered, i ≠ j, equal labels) and
/// with N_i the negatives of sample i,
///
///     J_ij = log(Σ_{k∈N_i} exp(α − D_ik) + Σ_{l∈N_j} exp(α − D_jl)) + D_ij,
///     L = 1/(2|P|) Σ_{(i,j)∈P} max(0, J_ij)²,
///
/// with D the Euclidean distances between L2-normalised embeddings. Normalising first (as
/// pytorch-metric-learning's default distance does) keeps D in [0, 2], where the margin
/// α = 1 means something, and stops the loss from being lowered by scaling the embeddings up;
/// it also puts all three metric losses on the same unit sphere. A pair without any
/// negatives contributes 0 (J = −∞); a batch without positive pairs has loss 0.
public final class LiftedStructureLoss: CosineSimilarityLoss {
    /// α: Song et al. use 1.
    public static let defaultMargin: Float = 1
    /// Squared distances at or below this count as 0, with no gradient: the distance is not
    /// differentiable at 0, and the Gram route leaves float rounding noise around it.
    static let squaredDistanceFloor: Float = 1e-12

    public var kind: MetricLossKind { .lifted }
    /// α.
    public let margin: Float
    let cosine = CosineSimilarityMatrix()
    private let distanceStorage = ReusableBuffer()
    private let negativeExponentialStorage = ReusableBuffer()
    private let negativeSumStorage = ReusableBuffer()
    private let negativeWeightStorage = ReusableBuffer()
    private let distanceGradientStorage = ReusableBuffer()

    /// - Throws: `LossError.marginOutOfRange` unless `margin` is finite and ≥ 0.
    public init(margin: Float = defaultMargin) throws {
        self.margin = try MetricLossKind.lifted.checkedMargin(margin)
    }

    func evaluate(
        similarity gram: UnsafePointer<Float>, labels: UnsafePointer<Int32>, count: Int,
        similarityGradient: UnsafeMutablePointer<Float>?
    ) -> SimilarityLossValue {
        let distances = distanceStorage.reserve(count * count)  // (N, N) D
        let negativeExponentials = negativeExponentialStorage.reserve(count * count)  // (N, N) exp(−D_ik), k ∈ N_i, else 0
        let negativeSums = negativeSumStorage.reserve(count)  // (N) Σ_{k∈N_i} exp(−D_ik)
        let negativeWeights = negativeWeightStorage.reserve(count)  // (N) Σ_{active pairs of i} (dL/dJ) / Z
        let distanceGradient = distanceGradientStorage.reserve(count * count)  // (N, N) dL/dD

        // D_ij² = S_ii + S_jj − 2 S_ij from the Gram matrix: the O(N²·l) work stays in SGEMM.
        // log Σ exp(α − D) = α + log Σ exp(−D), and on the unit sphere D ∈ [0, 2], so exp(−D)
        // needs no max-shift; a pair's sum is then its two anchors' sums over their negatives.
        var positivePairs = 0
        for i in 0..<count {
            var sum: Float = 0
            for k in 0..<count {
                let squared = gram[i * count + i] + gram[k * count + k] - 2 * gram[i * count + k]
                let distance = squared > Self.squaredDistanceFloor ? squared.squareRoot() : 0
                distances[i * count + k] = distance
                let exponential: Float = labels[k] != labels[i] ? exp(-distance) : 0
                negativeExponentials[i * count + k] = exponential
                sum += exponential
                if k > i && labels[k] == labels[i] { positivePairs += 1 }
            }
            negativeSums[i] = sum
        }
        guard positivePairs > 0 else { return .zero }

        distanceGradient.update(repeating: 0, count: count * count)
        negativeWeights.update(repeating: 0, count: count)
        var total: Double = 0
        for i in 0..<count {
            for j in (i + 1)..<count where labels[j] == labels[i] {
                let sum = negativeSums[i] + negativeSums[j]
                guard sum > 0 else { continue }  // no negatives in the batch: J = −∞
                let objective = margin + log(sum) + distances[i * count + j]
                guard objective > 0 else { continue }
                total += Double(objective) * Double(objective)
                // d/dJ of J²/(2|P|) is J/|P|; dJ/dD_ij = 1, dJ/dD_ik = −exp(−D_ik)/Z.
                let scale = objective / Float(positivePairs)
                distanceGradient[i * count + j] = scale
                negativeWeights[i] += scale / sum
                negativeWeights[j] += scale / sum
            }
        }

        if let similarityGradient {
            for i in 0..<count {
                for k in 0..<count {
                    let index = i * count + k
                    let distanceDerivative = distanceGradient[index] - negativeExponentials[index] * negativeWeights[i]
                    guard distanceDerivative != 0, distances[index] > 0 else { continue }
                    // dD/dD² = 1 / (2D), and D² = S_ii + S_kk − 2 S_ik.
                    let squaredDerivative = distanceDerivative / (2 * distances[index])
                    similarityGradient[i * count + i] += squaredDerivative
                    similarityGradient[k * count + k] += squaredDerivative
                    similarityGradient[index] -= 2 * squaredDerivative
                }
            }
        }
        return .mean(Float(total / Double(2 * positivePairs)))
    }
}

/// The similarity triplet loss of eq. 1 of Huang et al. 2021, a baseline of their Table 4:
/// max(0, margin − s⁺ + s⁻) on cosine similarities s of L2-normalised embeddings.
///
/// Mining rule: batch-all. Every valid triplet of the batch counts, an anchor a, a positive
/// p ≠ a with y_p = y_a and a negative n with y_n ≠ y_a, and the loss is the mean over the
/// active triplets (those with a non-zero hinge), as pytorch-metric-learning's
/// `TripletMarginLoss` with its default non-zero averaging does; averaging over all triplets
/// would let the many already-satisfied ones dilute the signal as training progresses.
/// A batch without valid or without active triplets has loss 0 and gradient 0.
public final class SimilarityTripletLoss: CosineSimilarityLoss {
    /// Eq. 1 writes the margin as 1.
    public static let defaultMargin: Float = 1

    public var kind: MetricLossKind { .triplet }
    public let margin: Float
    let cosine = CosineSimilarityMatrix()

    /// - Throws: `LossError.marginOutOfRange` unless `margin` is finite and ≥ 0.
    public init(margin: Float = defaultMargin) throws {
        self.margin = try MetricLossKind.triplet.checkedMargin(margin)
    }

    func evaluate(
        similarity: UnsafePointer<Float>, labels: UnsafePointer<Int32>, count: Int,
        similarityGradient: UnsafeMutablePointer<Float>?
    ) -> SimilarityLossValue {
        var total: Double = 0
        var active = 0
        for anchor in 0..<count {
            let row = similarity + anchor * count
            // Counts ±1 per active triplet first; scaled by 1/active once that is known.
            let rowGradient = similarityGradient.map { $0 + anchor * count }
            for positive in 0..<count where positive != anchor && labels[positive] == labels[anchor] {
                for negative in 0..<count where labels[negative] != labels[anchor] {
                    let hinge = margin - row[positive] + row[negative]
                    guard hinge > 0 else { continue }
                    total += Double(hinge)
                    active += 1
                    rowGradient?[positive] -= 1
                    rowGradient?[negative] += 1
                }
            }
        }
        guard active > 0 else { return .zero }
        if let similarityGradient {
            let scale = 1 / Float(active)
            for index in 0..<(count * count) { similarityGradient[index] *= scale }
        }
        return .mean(Float(total / Double(active)))
    }
}

/// `--lr-scaling`: how the learning rate follows the global batch when it grows with the nodes
/// (Goyal et al. 2017's linear rule; the square-root rule of Krizhevsky 2014 and Hoffer et al.
/// 2017, gentler for adaptive optimizers such as Adam). `--lr` is the rate of the reference
/// batch, the paper's 36.
public enum LearningRateScaling: String, CaseIterable, Sendable {
    case none
    case linear
    case sqrt

    /// The batch `--lr` is meant for.
    public static let referenceBatch = 36

    /// The factor on `--lr` for a global batch of `batch`.
    public func factor(batch: Int) -> Double {
        let ratio = Double(batch) / Double(Self.referenceBatch)
        switch self {
        case .none: return 1
        case .linear: return ratio
        case .sqrt: return ratio.squareRoot()
        }
    }
}

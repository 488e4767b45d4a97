/// The training objectives of `--loss` (paper Table 4).
public enum LossKind: String, CaseIterable, Sendable {
    /// Cross-entropy alone.
    case crossEntropy = "ce"
    /// Cross-entropy plus the batch-similarity triplet loss: the paper's method (eq. 7).
    case crossEntropyPlusBST = "ce+bst"
    /// Cross-entropy plus the similarity triplet loss of eq. 1.
    case crossEntropyPlusTriplet = "ce+triplet"
    /// Cross-entropy plus Song et al.'s improved lifted structure loss.
    case crossEntropyPlusLifted = "ce+lifted"

    /// The metric loss added to cross-entropy, if any.
    public var metric: MetricLossKind? {
        switch self {
        case .crossEntropy: return nil
        case .crossEntropyPlusBST: return .bst
        case .crossEntropyPlusTriplet: return .triplet
        case .crossEntropyPlusLifted: return .lifted
        }
    }
}

/// The total loss L = L_ce + λ·L_dml (eq. 7), with every choice resolved.
public struct LossConfiguration: Sendable, Equatable {
    public let kind: LossKind
    /// The metric loss's margin (m for BSTriplet, α for lifted); nil for cross-entropy alone.
    public let margin: Float?
    /// λ, the weight of the metric loss; 1 in the paper.
    public let lambda: Float
    /// g of eq. 3, used by `.crossEntropyPlusBST` only.
    public let square: BatchSimilarityTripletLoss.Square
    /// ε of the training cross-entropy's smoothed targets (`SoftmaxCrossEntropy`); 0 is off.
    public let labelSmoothing: Float

    /// - Parameter margin: nil takes the metric loss's default (`MetricLossKind.defaultMargin`).
    /// - Throws: `LossError.marginOutOfRange`, `LossError.invalidLambda`, `LossError.invalidLabelSmoothing`.
    public init(
        kind: LossKind = .crossEntropyPlusBST, margin: Float? = nil, lambda: Float = 1,
        square: BatchSimilarityTripletLoss.Square = .signed, labelSmoothing: Float = 0
    ) throws {
        guard lambda.isFinite, lambda >= 0 else { throw LossError.invalidLambda(lambda) }
        guard labelSmoothing >= 0, labelSmoothing < 1 else { throw LossError.invalidLabelSmoothing(labelSmoothing) }
        if let metric = kind.metric {
            self.margin = try metric.checkedMargin(margin ?? metric.defaultMargin)
        } else {
            self.margin = nil
        }
        self.kind = kind
        self.lambda = lambda
        self.square = square
        self.labelSmoothing = labelSmoothing
    }

    /// A fresh metric loss (holding its own workspace), or nil for cross-entropy alone.
    public func makeMetricLoss() throws -> (any MetricLoss)? {
        try kind.metric?.makeLoss(margin: margin, square: square)
    }
}

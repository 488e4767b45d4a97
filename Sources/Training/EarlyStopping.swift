/// Stops training when the watched validation figure (`EarlyStoppingMetric`, the loss in the
/// paper) has not improved by at least `minimumDelta` for `patience` successive epochs (paper
/// §3.1: 1e-4 and 30), remembering the best epoch so its weights can be restored.
public struct EarlyStopping: Codable, Equatable, Sendable {
    public var patience: Int
    public var minimumDelta: Double
    public private(set) var best: Double = .infinity
    public private(set) var bestEpoch: Int = -1
    public private(set) var epochsWithoutImprovement = 0

    public init(patience: Int = 30, minimumDelta: Double = 1e-4) {
        self.patience = patience
        self.minimumDelta = minimumDelta
    }

    public enum Decision: Equatable, Sendable {
        /// A new best: keep these weights.
        case improved
        case noImprovement
        case stop
    }

    /// - Parameter value: the epoch's figure, lower being better (`EarlyStoppingMetric.value`).
    public mutating func update(value: Double, epoch: Int) -> Decision {
        if value < best - minimumDelta {
            best = value
            bestEpoch = epoch
            epochsWithoutImprovement = 0
            return .improved
        }
        epochsWithoutImprovement += 1
        return epochsWithoutImprovement >= patience ? .stop : .noImprovement
    }
}

/// The validation figure that early stopping and the best weights follow (`--early-stopping-metric`).
public enum EarlyStoppingMetric: String, CaseIterable, Sendable {
    /// The validation loss, the paper's.
    case loss
    /// The validation AUC (for more than two classes, the mean of one-vs-rest AUCs).
    case auc
    /// The mean of the per-class sensitivities: a model that calls every image the majority
    /// class scores 1/classes, however low its loss.
    case balancedAccuracy = "balanced-accuracy"

    /// The figure as early stopping compares it, lower being better: the loss, or 1 − the
    /// score (a score that a validation split without some class cannot give counts as 0).
    public func value(loss: Double, auc: Double?, balancedAccuracy: Double?) -> Double {
        switch self {
        case .loss: loss
        case .auc: 1 - (auc ?? 0)
        case .balancedAccuracy: 1 - (balancedAccuracy ?? 0)
        }
    }
}

/// Stops training when the validation loss has not improved by at least `minimumDelta` for
/// `patience` successive epochs (paper §3.1: 1e-4 and 30), remembering the best epoch so its
/// weights can be restored.
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

    public mutating func update(loss: Double, epoch: Int) -> Decision {
        if loss < best - minimumDelta {
            best = loss
            bestEpoch = epoch
            epochsWithoutImprovement = 0
            return .improved
        }
        epochsWithoutImprovement += 1
        return epochsWithoutImprovement >= patience ? .stop : .noImprovement
    }
}

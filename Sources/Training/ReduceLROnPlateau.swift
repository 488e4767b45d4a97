/// Multiplies the learning rate by `factor` when the monitored loss has not improved by more
/// than `minimumDelta` for `patience` epochs, never going below `minimumLearningRate`
/// (paper §3.1: training loss, patience 20, factor 0.3, floor 1e-8; Keras semantics).
public struct ReduceLROnPlateau: Codable, Equatable, Sendable {
    public var factor: Double
    public var patience: Int
    public var minimumLearningRate: Double
    public var minimumDelta: Double
    public private(set) var best: Double = .infinity
    public private(set) var epochsWithoutImprovement = 0

    public init(factor: Double = 0.3, patience: Int = 20, minimumLearningRate: Double = 1e-8, minimumDelta: Double = 1e-4) {
        self.factor = factor
        self.patience = patience
        self.minimumLearningRate = minimumLearningRate
        self.minimumDelta = minimumDelta
    }

    /// Records an epoch's loss and returns the learning rate to use next.
    public mutating func update(loss: Double, learningRate: Double) -> Double {
        if loss < best - minimumDelta {
            best = loss
            epochsWithoutImprovement = 0
            return learningRate
        }
        epochsWithoutImprovement += 1
        guard epochsWithoutImprovement >= patience else { return learningRate }
        epochsWithoutImprovement = 0
        return max(learningRate * factor, minimumLearningRate)
    }
}

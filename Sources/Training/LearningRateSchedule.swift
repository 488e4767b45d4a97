import Foundation

/// The learning-rate schedules of `--lr-schedule`.
public enum LearningRateSchedule: String, CaseIterable, Sendable {
    /// `ReduceLROnPlateau` on the training loss, the paper's (§3.1).
    case plateau
    /// `CosineSchedule`: linear warm-up, then half a cosine down to `--min-lr`.
    case cosine
}

/// The learning rate of each epoch under `--lr-schedule cosine`: with η the initial rate
/// (`--lr`), η_min the floor (`--min-lr`), E epochs of which W warm up, epoch e (from 0) uses
///
///     η·(e + 1)/W                                        for e < W,
///     η_min + (η − η_min)·(1 + cos(π·(e − W)/(E − W)))/2  otherwise,
///
/// PyTorch's `LinearLR` then `CosineAnnealingLR(T_max = E − W, eta_min)`, stepped per epoch. It
/// is a function of the epoch alone, so a resumed run needs no schedule state.
public struct CosineSchedule: Equatable, Sendable {
    public let learningRate: Double
    public let minimumLearningRate: Double
    public let epochs: Int
    public let warmupEpochs: Int

    public init(learningRate: Double, minimumLearningRate: Double, epochs: Int, warmupEpochs: Int) {
        precondition(epochs > warmupEpochs && warmupEpochs >= 0)
        self.learningRate = learningRate
        self.minimumLearningRate = minimumLearningRate
        self.epochs = epochs
        self.warmupEpochs = warmupEpochs
    }

    /// The rate of epoch `epoch`, counted from 0.
    public func learningRate(epoch: Int) -> Double {
        if epoch < warmupEpochs { return learningRate * Double(epoch + 1) / Double(warmupEpochs) }
        let progress = Double(min(epoch, epochs) - warmupEpochs) / Double(epochs - warmupEpochs)
        return minimumLearningRate + (learningRate - minimumLearningRate) * (1 + cos(Double.pi * progress)) / 2
    }
}

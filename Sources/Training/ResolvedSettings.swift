import Engine
import Foundation
import Inference
import Losses
import Networks
import Support

/// A configuration checked and turned into the types the run uses. Every check here runs on
/// every rank before anything collective, so a bad option ends all ranks with one message.
/// (The option choices, such as the network, were checked when the configuration was read.)
struct ResolvedSettings {
    let loss: LossConfiguration
    let threads: Int
    let runDirectory: String
    let optimizer: OptimizerKind
    let learningRate: Float
    /// `--lr` times the `--lr-scaling` factor of the global batch: the initial rate of the schedules.
    let scaledLearningRate: Double
    let weightDecay: Float
    let momentum: Float
    /// The decay of `--ema`; nil when off.
    let averageDecay: Float?
    /// `--lr-schedule cosine`'s rates; nil for the plateau schedule.
    let cosineSchedule: CosineSchedule?

    init(_ configuration: TrainingConfiguration, worldSize: Int) throws {
        try Self.checkRanges(configuration)
        loss = try LossConfiguration(
            kind: configuration.loss, margin: configuration.margin.map { Float($0) }, lambda: Float(configuration.lambda),
            square: configuration.bstSquare, labelSmoothing: Float(configuration.labelSmoothing))
        optimizer = configuration.optimizer
        scaledLearningRate = configuration.lr * configuration.lrScaling.factor(batch: configuration.batch)
        learningRate = Float(scaledLearningRate)
        weightDecay = Float(configuration.weightDecay)
        momentum = Float(configuration.momentum)
        guard configuration.batch >= worldSize else {
            throw TrainingError.batchTooSmallForRanks(batch: configuration.batch, ranks: worldSize)
        }
        guard !configuration.train.isEmpty else {
            throw TrainingError.invalidOption(name: "--train", value: "(none)", expected: "a folder with one subfolder of JPEG images per class")
        }
        guard configuration.val != nil || configuration.valFraction > 0 else { throw TrainingError.noValidationSet }
        threads = configuration.threads ?? Self.defaultThreads
        runDirectory = configuration.runDir ?? Self.defaultRunDirectory(model: configuration.model, loss: configuration.loss)
        guard configuration.ema >= 0, configuration.ema < 1 else {
            throw TrainingError.invalidOption(
                name: "--ema", value: "\(configuration.ema)", expected: "a decay in [0, 1), e.g. 0.999; 0 turns the average off")
        }
        averageDecay = configuration.ema > 0 ? Float(configuration.ema) : nil
        cosineSchedule = try Self.cosineSchedule(configuration, learningRate: scaledLearningRate)
    }

    /// Past this an all-reduce bucket is a typing error (and its float count could overflow).
    static let largestBucketMB = 4096.0

    /// Every numeric option against its range, so NaN, infinities, negatives and sizes past
    /// any machine end here with the option's name, not in a trap or a silent no-op later.
    private static func checkRanges(_ configuration: TrainingConfiguration) throws {
        func require(_ holds: Bool, _ option: String, _ value: Any, _ expected: String) throws {
            guard holds else { throw TrainingError.invalidOption(name: "--\(option)", value: "\(value)", expected: expected) }
        }
        /// Positive and still positive and finite as the Float the optimizer uses.
        func isPositiveFloat(_ value: Double) -> Bool { value > 0 && Float(value).isFinite && Float(value) > 0 }
        func isNonNegativeFloat(_ value: Double) -> Bool { value >= 0 && Float(value).isFinite }
        let c = configuration
        try require(isPositiveFloat(c.lr), "lr", c.lr, "a positive learning rate such as 0.001")
        try require(isNonNegativeFloat(c.weightDecay), "weight-decay", c.weightDecay, "a finite number ≥ 0")
        try require((0..<1).contains(c.momentum), "momentum", c.momentum, "a number in [0, 1), e.g. 0.9")
        try require(
            (2...OptionLimits.largestBatch).contains(c.batch), "batch", c.batch,
            "from 2 (the similarity losses compare samples within a batch, so one sample defines none) to \(OptionLimits.largestBatch)")
        try require(c.epochs >= 1, "epochs", c.epochs, "at least 1")
        try require(
            (32...WeightsMetadata.largestImageSize).contains(c.imageSize) && c.imageSize % 32 == 0, "image-size", c.imageSize,
            "a multiple of 32 from 32 to \(WeightsMetadata.largestImageSize) (the networks downsample 32 times), e.g. 128")
        try require(c.channels == 1 || c.channels == 3, "channels", c.channels, "1 (grey) or 3 (colour)")
        try require((0..<1).contains(c.valFraction), "val-fraction", c.valFraction, "a fraction in [0, 1)")
        try require(c.maxImagePixels >= 1, "max-image-pixels", c.maxImagePixels, "at least 1")
        try require(c.lrFactor > 0 && c.lrFactor < 1, "lr-factor", c.lrFactor, "a factor in (0, 1), e.g. 0.3")
        try require(c.lrPatience >= 0, "lr-patience", c.lrPatience, "a number of epochs ≥ 0")
        try require(isNonNegativeFloat(c.minLr), "min-lr", c.minLr, "a finite learning rate ≥ 0")
        try require(c.earlyStoppingPatience >= 0, "early-stopping-patience", c.earlyStoppingPatience, "a number of epochs ≥ 0")
        try require(isNonNegativeFloat(c.earlyStoppingMinDelta), "early-stopping-min-delta", c.earlyStoppingMinDelta, "a finite number ≥ 0")
        if let iterations = c.iterationsPerEpoch {
            try require(iterations >= 1, "iterations-per-epoch", iterations, "at least 1 (omit it for one pass over the training images)")
        }
        if let threads = c.threads {
            try require((1...OptionLimits.largestThreads).contains(threads), "threads", threads, "from 1 to \(OptionLimits.largestThreads)")
        }
        try require(isNonNegativeFloat(c.logitAdjustment), "logit-adjustment", c.logitAdjustment, "a finite τ ≥ 0, e.g. 1; 0 is off")
        try require(c.freezeBackbone >= 0, "freeze-backbone", c.freezeBackbone, "a number of epochs ≥ 0; 0 trains the whole network from the start")
        try require(c.bucketMB > 0 && c.bucketMB <= largestBucketMB, "bucket-mb", c.bucketMB, "megabytes in (0, \(Int(largestBucketMB))], e.g. 4")
    }

    /// The cores of this node shared among the ranks on it (one thread per rank when there are
    /// more ranks than cores).
    static var defaultThreads: Int {
        max(1, ProcessInfo.processInfo.activeProcessorCount / ranksOnThisNode)
    }

    static func defaultRunDirectory(model: NetworkKind, loss: LossKind) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        formatter.locale = Locale(identifier: "en_US_POSIX")
        return "runs/\(formatter.string(from: Date()))-\(model.rawValue)-\(loss.rawValue)"
    }

    /// The cosine schedule `configuration` asks for, checked; nil for the plateau schedule.
    private static func cosineSchedule(_ configuration: TrainingConfiguration, learningRate: Double) throws -> CosineSchedule? {
        let warmup = configuration.warmupEpochs
        guard configuration.lrSchedule == .cosine else {
            guard warmup == 0 else {
                throw TrainingError.invalidOption(
                    name: "--warmup-epochs", value: "\(warmup)", expected: "0 with --lr-schedule plateau; warm-up comes with --lr-schedule cosine")
            }
            return nil
        }
        guard warmup >= 0, warmup < configuration.epochs else {
            throw TrainingError.invalidOption(
                name: "--warmup-epochs", value: "\(warmup)", expected: "0 to --epochs − 1 (\(configuration.epochs - 1)), leaving epochs to decay over")
        }
        guard configuration.minLr >= 0, configuration.minLr <= learningRate else {
            throw TrainingError.invalidOption(
                name: "--min-lr", value: "\(configuration.minLr)", expected: "between 0 and the initial learning rate (\(learningRate)): the cosine decays from it to --min-lr")
        }
        return CosineSchedule(
            learningRate: learningRate, minimumLearningRate: configuration.minLr, epochs: configuration.epochs, warmupEpochs: warmup)
    }

    func makeOptimizer(parameterCount: Int) -> any Optimizer {
        optimizer.makeOptimizer(parameterCount: parameterCount, learningRate: learningRate, momentum: momentum, weightDecay: weightDecay)
    }
}

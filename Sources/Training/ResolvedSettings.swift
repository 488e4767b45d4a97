import Engine
import Foundation
import Losses
import Networks

/// A configuration checked and turned into the types the run uses. Every check here runs on
/// every rank before anything collective, so a bad option ends all ranks with one message.
/// (The option choices, such as the network, were checked when the configuration was read.)
struct ResolvedSettings {
    let loss: LossConfiguration
    let threads: Int
    let runDirectory: String
    let optimizer: OptimizerKind
    let learningRate: Float
    let weightDecay: Float
    let momentum: Float
    /// The decay of `--ema`; nil when off.
    let averageDecay: Float?
    /// `--lr-schedule cosine`'s rates; nil for the plateau schedule.
    let cosineSchedule: CosineSchedule?

    init(_ configuration: TrainingConfiguration, worldSize: Int) throws {
        loss = try LossConfiguration(
            kind: configuration.loss, margin: configuration.margin.map { Float($0) }, lambda: Float(configuration.lambda),
            square: configuration.bstSquare, labelSmoothing: Float(configuration.labelSmoothing))
        optimizer = configuration.optimizer
        guard configuration.lr > 0, configuration.lr.isFinite else {
            throw TrainingError.invalidOption(name: "--lr", value: "\(configuration.lr)", expected: "a positive learning rate such as 0.001")
        }
        learningRate = Float(configuration.lr)
        guard configuration.weightDecay >= 0 else {
            throw TrainingError.invalidOption(name: "--weight-decay", value: "\(configuration.weightDecay)", expected: "a number ≥ 0")
        }
        weightDecay = Float(configuration.weightDecay)
        momentum = Float(configuration.momentum)
        guard configuration.batch >= 2 else {
            throw TrainingError.invalidOption(
                name: "--batch", value: "\(configuration.batch)",
                expected: "at least 2: the similarity losses compare samples within a batch, so one sample defines none")
        }
        guard configuration.batch >= worldSize else {
            throw TrainingError.batchTooSmallForRanks(batch: configuration.batch, ranks: worldSize)
        }
        guard configuration.epochs >= 1 else {
            throw TrainingError.invalidOption(name: "--epochs", value: "\(configuration.epochs)", expected: "at least 1")
        }
        guard configuration.imageSize > 0, configuration.imageSize % 32 == 0 else {
            throw TrainingError.invalidOption(
                name: "--image-size", value: "\(configuration.imageSize)",
                expected: "a positive multiple of 32 (the networks downsample 32 times), e.g. 128")
        }
        guard configuration.channels == 1 || configuration.channels == 3 else {
            throw TrainingError.invalidOption(name: "--channels", value: "\(configuration.channels)", expected: "1 (grey) or 3 (colour)")
        }
        guard !configuration.train.isEmpty else {
            throw TrainingError.invalidOption(name: "--train", value: "(none)", expected: "a folder with one subfolder of JPEG images per class")
        }
        if let threads = configuration.threads, threads < 1 {
            throw TrainingError.invalidOption(name: "--threads", value: "\(threads)", expected: "at least 1")
        }
        threads = configuration.threads ?? Self.defaultThreads
        runDirectory = configuration.runDir ?? Self.defaultRunDirectory(model: configuration.model, loss: configuration.loss)
        guard configuration.ema >= 0, configuration.ema < 1 else {
            throw TrainingError.invalidOption(
                name: "--ema", value: "\(configuration.ema)", expected: "a decay in [0, 1), e.g. 0.999; 0 turns the average off")
        }
        averageDecay = configuration.ema > 0 ? Float(configuration.ema) : nil
        cosineSchedule = try Self.cosineSchedule(configuration)
    }

    /// The cores of this node shared among the ranks on it (one thread per rank when there are
    /// more ranks than cores).
    static var defaultThreads: Int {
        let localRanks = ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap(Int.init) ?? 1
        return max(1, ProcessInfo.processInfo.activeProcessorCount / max(1, localRanks))
    }

    static func defaultRunDirectory(model: NetworkKind, loss: LossKind) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        formatter.locale = Locale(identifier: "en_US_POSIX")
        return "runs/\(formatter.string(from: Date()))-\(model.rawValue)-\(loss.rawValue)"
    }

    /// The cosine schedule `configuration` asks for, checked; nil for the plateau schedule.
    private static func cosineSchedule(_ configuration: TrainingConfiguration) throws -> CosineSchedule? {
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
        guard configuration.minLr >= 0, configuration.minLr <= configuration.lr else {
            throw TrainingError.invalidOption(
                name: "--min-lr", value: "\(configuration.minLr)", expected: "between 0 and --lr (\(configuration.lr)): the cosine decays from --lr to it")
        }
        return CosineSchedule(
            learningRate: configuration.lr, minimumLearningRate: configuration.minLr, epochs: configuration.epochs, warmupEpochs: warmup)
    }

    func makeOptimizer(parameterCount: Int) -> any Optimizer {
        optimizer.makeOptimizer(parameterCount: parameterCount, learningRate: learningRate, momentum: momentum, weightDecay: weightDecay)
    }
}

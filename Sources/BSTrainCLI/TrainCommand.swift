import ArgumentParser
import Data
import Distributed
import Foundation
import Losses
import Networks
import Training

/// `bstrain train`: the paper's training run, on one rank or under mpirun.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a network with cross-entropy plus a metric-learning loss (default: BSTriplet) and evaluate it.",
        discussion: """
            Defaults follow the paper (Huang et al. 2021, section 3.1): Adam with learning rate 0.001; \
            the learning rate times 0.3 when the training loss has not improved for 20 epochs (never \
            below 1e-8); at most 400 epochs; early stopping when the validation loss has not improved \
            by 1e-4 for 30 epochs, restoring the best weights; global batch 36; lambda 1; 128 x 128 \
            images. Options can also come from --config FILE (YAML, the same names without the dashes, \
            e.g. 'image-size: 128'); options given on the command line win. With --resume RUN_DIR the \
            run's own config.yaml is the base instead.

            Under mpirun every rank runs this command: --batch is the global batch, each rank \
            computes its slice, embeddings are all-gathered for the metric loss and gradients are \
            summed. Rank 0 writes the run directory.

            Networks and their embedding widths: \(NetworkKind.allCases.map { "\($0.rawValue) (\($0.embeddingWidth))" }.joined(separator: ", ")).
            """)

    @Option(help: "YAML file with any of these options (names without the leading dashes).")
    var config: String?

    @Option(help: "Training images: a folder with one subfolder of JPEGs per class.")
    var train: String?
    @Option(help: "Validation images with the same classes (default: hold out --val-fraction of --train).")
    var val: String?
    @Option(help: "Share of each training class held out for validation when --val is not given (default: 0.1).")
    var valFraction: Double?
    @Option(help: "Held-out test images, evaluated once at the end with the best weights.")
    var test: String?
    @Option(help: "Side of the square input images in pixels, a multiple of 32 (default: 128).")
    var imageSize: Int?
    @Option(help: "1 (grey) or 3 (colour) input channels (default: 1).")
    var channels: Int?
    @Flag(inversion: .prefixedNo, help: "Augment on the fly: rotations by 90/180/270, flips, ±5-pixel shifts (paper §3.5; default: off).")
    var augment: Bool?
    @Flag(help: "Skip corrupt or non-JPEG files (listed in skipped.csv) instead of stopping.")
    var skipBad = false
    @Flag(help: "Skip a step whose loss or gradients are NaN or infinite (with a warning) instead of stopping the run.")
    var skipNonfinite = false
    @Option(help: "K-means data-mining groups per class: one count or one per class, e.g. \"2,3\" (default: 2).")
    var groupsPerClass: String?
    @Option(help: "Batch composition: ratio (groups in proportion to their size), balanced or random (default: ratio).")
    var batchMode: BatchMode?

    @Option(help: "Network (default: mobilenetv3-small).")
    var model: NetworkKind?
    @Option(help: "Loss: ce, ce+bst, ce+triplet or ce+lifted; L = CE + λ·metric loss (default: ce+bst).")
    var loss: LossKind?
    @Option(help: "Margin m of the metric loss (default: 0.9 for BSTriplet, which needs 0 ≤ m ≤ 1; 1 for triplet and lifted).")
    var margin: Double?
    @Option(help: "Weight λ of the metric loss (default: 1).")
    var lambda: Double?
    @Option(help: """
        The square g in BSTriplet (eq. 3): signed, x·|x| (default), keeps the sign of similarities, so \
        dissimilar negatives lower the loss and the loss stays within [0, 1 + m] as the paper states; \
        plain, x², is the literal text and rewards negatives for being similar; linear, x, for ablation.
        """)
    var bstSquare: BatchSimilarityTripletLoss.Square?

    @Option(help: "adam or sgd (default: adam).")
    var optimizer: OptimizerKind?
    @Option(help: "Initial learning rate (default: 0.001).")
    var lr: Double?
    @Option(help: "Weight decay (default: 0).")
    var weightDecay: Double?
    @Option(help: "Global batch size N_b, split over the ranks (default: 36).")
    var batch: Int?
    @Option(help: "Maximum number of epochs (default: 400).")
    var epochs: Int?
    @Option(help: "Iterations per epoch (default: training images / batch, rounded up).")
    var iterationsPerEpoch: Int?
    @Option(help: "Learning-rate reduction factor on a training-loss plateau (default: 0.3).")
    var lrFactor: Double?
    @Option(help: "Epochs without training-loss improvement before the learning rate is reduced (default: 20).")
    var lrPatience: Int?
    @Option(help: "Learning-rate floor (default: 1e-8).")
    var minLr: Double?
    @Option(help: "Epochs without validation-loss improvement before stopping (default: 30).")
    var earlyStoppingPatience: Int?
    @Option(help: "Smallest validation-loss decrease that counts as improvement (default: 1e-4).")
    var earlyStoppingMinDelta: Double?

    @Option(help: "Seed of every random choice: split, clusters, batches, initialisation, augmentation (default: 1).")
    var seed: UInt64?
    @Option(help: "Threads per rank for the engine and OpenBLAS (default: cores / ranks on this node).")
    var threads: Int?
    @Flag(inversion: .prefixedNo, help: "Batch-norm statistics over the global batch instead of each rank's slice (default: off).")
    var syncBn: Bool?
    @Option(name: .customLong("bucket-mb"), help: "Size of the gradient all-reduce buckets in MB (default: 4).")
    var bucketMegabytes: Double?
    @Option(help: "Run directory (default: runs/<date>-<model>-<loss>).")
    var runDir: String?
    @Option(help: "text (progress bar and epoch lines), jsonl (one JSON object per line) or quiet (epoch lines only) (default: text).")
    var logFormat: LogFormat?
    @Option(help: "Continue the run in RUN_DIR from its last complete epoch (its config.yaml is the base).")
    var resume: String?
    @Flag(help: "Start again in a --run-dir that already holds a run, replacing its files.")
    var overwrite = false

    func resolvedConfiguration() throws -> TrainingConfiguration {
        var configuration = TrainingConfiguration()
        if let resume {
            guard FileManager.default.fileExists(atPath: "\(resume)/config.yaml") else {
                throw TrainingError.missingFile(path: "\(resume)/config.yaml", what: "--resume: the configuration of the run to continue,")
            }
            configuration = try TrainingConfiguration.load(yamlFile: "\(resume)/config.yaml")
            configuration.runDir = resume
        }
        if let config { configuration = try TrainingConfiguration.load(yamlFile: config) }
        func override<T>(_ value: T?, _ path: WritableKeyPath<TrainingConfiguration, T>) {
            if let value { configuration[keyPath: path] = value }
        }
        override(train, \.train)
        if let val { configuration.val = val }
        override(valFraction, \.valFraction)
        if let test { configuration.test = test }
        override(imageSize, \.imageSize)
        override(channels, \.channels)
        override(augment, \.augment)
        if skipBad { configuration.skipBad = true }
        if skipNonfinite { configuration.skipNonfinite = true }
        override(groupsPerClass, \.groupsPerClass)
        override(batchMode, \.batchMode)
        override(model, \.model)
        override(loss, \.loss)
        if let margin { configuration.margin = margin }
        override(lambda, \.lambda)
        override(bstSquare, \.bstSquare)
        override(optimizer, \.optimizer)
        override(lr, \.lr)
        override(weightDecay, \.weightDecay)
        override(batch, \.batch)
        override(epochs, \.epochs)
        if let iterationsPerEpoch { configuration.iterationsPerEpoch = iterationsPerEpoch }
        override(lrFactor, \.lrFactor)
        override(lrPatience, \.lrPatience)
        override(minLr, \.minLr)
        override(earlyStoppingPatience, \.earlyStoppingPatience)
        override(earlyStoppingMinDelta, \.earlyStoppingMinDelta)
        override(seed, \.seed)
        if let threads { configuration.threads = threads }
        override(syncBn, \.syncBn)
        override(bucketMegabytes, \.bucketMegabytes)
        if let runDir { configuration.runDir = runDir }
        override(logFormat, \.logFormat)
        return configuration
    }

    func run() throws {
        let configuration = try resolvedConfiguration()
        var outcome = TrainingOutcome.completed
        try runOnEveryRank { communicator in
            let trainer = try Trainer(configuration: configuration, communicator: communicator, resume: resume != nil, overwrite: overwrite)
            outcome = try trainer.run()
        }
        // 128 + SIGINT, as a shell reports a program stopped by Ctrl-C.
        if outcome == .interrupted { throw ExitCode(130) }
    }
}

// The training options' choices as command-line values (BatchMode's is in DataCommand.swift);
// `--help` lists their names.
extension LogFormat: ExpressibleByArgument {}
extension OptimizerKind: ExpressibleByArgument {}

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
            The defaults are the recommended recipe, which grouped cross-validation on Kermany's chest \
            X-rays supported (README, "Patients, not images"): the validation share is whole patients \
            (--group-pattern kermany, which names no patient in other file names), \
            --augment \(defaultText(\.augment)), --batch-mode \(defaultText(\.batchMode)), \
            --ema \(defaultText(\.ema)), --lr-schedule \(defaultText(\.lrSchedule)) over \(defaultText(\.epochs)) epochs \
            after \(defaultText(\.warmupEpochs)) of warm-up, early stopping when the validation \
            \(defaultText(\.earlyStoppingMetric)) has not improved by \(defaultText(\.earlyStoppingMinDelta)) for \
            \(defaultText(\.earlyStoppingPatience)) epochs, restoring the best weights; the final report and the saved \
            model average 5 views per image (--tta) and read the class by a threshold chosen on validation \
            (--decision-threshold \(defaultText(\.decisionThreshold))); optimizer \(defaultText(\.optimizer)), \
            learning rate \(defaultText(\.lr)), global batch \(defaultText(\.batch)), lambda \(defaultText(\.lambda)), \
            \(defaultText(\.imageSize)) x \(defaultText(\.imageSize)) images. --recipe paper sets the paper's own \
            settings (Huang et al. 2021, sections 3.1 and 3.5) instead. Options can also come from --config FILE \
            (YAML, the same names without the dashes, e.g. 'image-size: 128'); options given on the command line \
            win. With --resume RUN_DIR the run's own config.yaml is the base instead.

            Under mpirun every rank runs this command: --batch is the global batch, each rank \
            computes its slice, embeddings are all-gathered for the metric loss and gradients are \
            summed. Rank 0 writes the run directory.

            Networks and their embedding widths: \(NetworkKind.allCases.map { "\($0.rawValue) (\($0.embeddingWidth))" }.joined(separator: ", ")).
            """)

    @Option(help: "YAML file with any of these options (names without the leading dashes).")
    var config: String?
    @Option(help: "Continue the run in RUN_DIR from its last complete epoch (its config.yaml is the base).")
    var resume: String?
    @Flag(help: "Start again in a --run-dir that already holds a run, replacing its files.")
    var overwrite = false

    @OptionGroup(title: "Run")
    var runOptions: RunOptions
    @OptionGroup
    var options: SharedTrainingOptions

    /// The run's configuration: the resumed run's config.yaml or --config FILE (else the
    /// defaults), with the options given on the command line laid over it. A resume may only
    /// change the options that leave what the run computes as it was.
    func resolvedConfiguration() throws -> TrainingConfiguration {
        guard let resume else { return try options.configuration(configFile: config, run: runOptions) }
        guard config == nil else { throw TrainingError.configWithResume }
        let savedPath = RunDirectory.Layout(path: resume).file("config.yaml")
        guard FileManager.default.fileExists(atPath: savedPath) else {
            throw TrainingError.missingFile(path: savedPath, what: "--resume: the configuration of the run to continue,")
        }
        var saved = try TrainingConfiguration.load(yamlFile: savedPath, over: .savedRunBase)
        saved.runDir = resume
        let continued = try saved.replacing(with: [runOptions] + options.groups)
        try saved.checkContinued(by: continued, runDirectory: resume)
        return continued
    }

    func run() throws {
        var outcome = TrainingOutcome.completed
        try runOnEveryRank { communicator in
            let configuration = try resolvedConfiguration()
            let trainer = try Trainer(configuration: configuration, communicator: communicator, resume: resume != nil, overwrite: overwrite)
            outcome = try trainer.run()
        }
        // 128 + SIGINT, as a shell reports a program stopped by Ctrl-C.
        if outcome == .interrupted { throw ExitCode(130) }
    }
}

import ArgumentParser
import Training

/// `bstrain cv`: grouped, stratified k-fold cross-validation of one training configuration.
struct CrossValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cv",
        abstract: "Cross-validate a training configuration on --train by patient: each fold's figures, mean ± sd, pooled ROC.",
        discussion: """
            --train is split into --folds parts of whole patients (--group-pattern or --groups; \
            without one every image is its own patient), each class spread evenly over the parts. \
            Fold k trains on the other parts less a validation share of whole patients \
            (--val-fraction, which early stopping and the best weights watch) and is tested on part \
            k, as a full 'bstrain train' run in RUN_DIR/fold-<k>. Then RUN_DIR/folds.csv holds each \
            fold's ACC, AUC and per-class SEN and SPE with their mean and sample sd, \
            RUN_DIR/predictions.csv the out-of-fold predictions, and RUN_DIR/metrics.json, roc.csv, \
            roc.svg and confusion.svg the out-of-fold predictions pooled. Run the same command again \
            to continue: finished folds are kept and an interrupted one continues from its \
            checkpoint. Under mpirun every rank trains each fold together.

            Example (Kermany's chest X-rays): bstrain cv --folds 5 --train chest2/train \
            --group-pattern kermany --run-dir runs/cv-ce-bst
            """)

    @Option(help: "Number of folds (2-100).")
    var folds = 5
    @Option(help: "YAML file with any 'bstrain train' option (names without dashes) as the base of every fold.")
    var config: String?

    @OptionGroup(title: "Run")
    var runOptions: RunOptions
    @OptionGroup
    var options: SharedTrainingOptions

    func run() throws {
        let base = try options.configuration(configFile: config, run: runOptions)
        var outcome = TrainingOutcome.completed
        try runOnEveryRank { communicator in
            outcome = try CrossValidation(configuration: base, folds: folds, communicator: communicator).run()
        }
        if outcome == .interrupted { throw ExitCode(130) }
    }
}

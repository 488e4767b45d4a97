import Data
import Distributed
import Evaluation
import Foundation
import Inference
import Reports
import Support

/// `bstrain cv`: k-fold cross-validation of one training configuration. Every fold is a full
/// `bstrain train` run in `<run-dir>/fold-<k>` (all ranks train it; rank 0 writes), tested on
/// patients it neither trained nor validated on. Rank 0 then reports each fold, the mean and
/// standard deviation over folds, and the out-of-fold predictions pooled into one ROC.
///
/// A fold whose predictions exist is kept; one that stopped part-way is resumed from its
/// checkpoint, with the options it was started with.
public struct CrossValidation {
    public let configuration: TrainingConfiguration
    public let folds: Int
    /// Where the folds and the summary go.
    public let outputPath: String
    let communicator: Communicator
    private let display: ProgressDisplay?

    public init(configuration: TrainingConfiguration, folds: Int, communicator: Communicator) throws {
        guard configuration.val == nil, configuration.test == nil else {
            throw TrainingError.invalidOption(
                name: configuration.val != nil ? "--val" : "--test", value: configuration.val ?? configuration.test ?? "",
                expected: "none: cross-validation takes each fold's test and validation patients from --train")
        }
        guard (2...OptionLimits.largestFoldCount).contains(folds) else {
            throw TrainingError.invalidOption(name: "--folds", value: "\(folds)", expected: "from 2 to \(OptionLimits.largestFoldCount)")
        }
        let settings = try ResolvedSettings(configuration, worldSize: communicator.worldSize)
        self.configuration = configuration
        self.folds = folds
        self.communicator = communicator
        outputPath = configuration.runDir ?? settings.runDirectory + "-cv"
        display = communicator.isRoot ? ProgressDisplay(format: configuration.logFormat) : nil
    }

    /// Trains every fold not finished yet, then (rank 0) writes and prints the summary.
    public func run() throws -> TrainingOutcome {
        let datasets = try ImageFolderDataset.crossValidationFolds(
            of: URL(fileURLWithPath: configuration.train), folds: folds, grouping: configuration.patientGrouping(),
            validationFraction: configuration.valFraction, seed: configuration.seed)
        if configuration.patientGrouping() == nil || datasets[0].patients?.namedNoTrainingPatient == true {
            display?.warning("no patient named (see --group-pattern, --groups): every image is taken for a patient of its own, so folds share the patients whose images they split, and the figures overstate accuracy on new patients")
        }
        for (index, dataset) in datasets.enumerated() {
            let foldPath = foldDirectory(index)
            let stage = try communicator.broadcast(communicator.isRoot ? FoldStage(at: foldPath).rawValue : 0)
            if stage == FoldStage.finished.rawValue {
                display?.message("fold \(index + 1)/\(folds): finished earlier, its results in \(foldPath) are kept")
                continue
            }
            var foldConfiguration = configuration
            foldConfiguration.runDir = foldPath
            let resume = stage == FoldStage.started.rawValue
            if resume, communicator.isRoot {
                let saved = try TrainingConfiguration.load(yamlFile: RunDirectory.Layout(path: foldPath).file("config.yaml"))
                try saved.checkContinued(by: foldConfiguration, runDirectory: foldPath)
            }
            display?.message("fold \(index + 1)/\(folds): \(Self.describe(dataset))\(resume ? "; continuing from its checkpoint" : "")")
            let trainer = try Trainer(
                configuration: foldConfiguration, communicator: communicator, resume: resume, dataset: dataset)
            if try trainer.run() == .interrupted { return .interrupted }
        }
        if communicator.isRoot { try summarise(datasets) }
        try communicator.barrier()
        return .completed
    }

    private func foldDirectory(_ index: Int) -> String { "\(outputPath)/fold-\(index + 1)" }

    private static func describe(_ dataset: ImageFolderDataset) -> String {
        func counts(_ folder: ImageFolder?, patients: [Int]?) -> String {
            let images = (folder?.classCounts ?? []).map(String.init).joined(separator: "/")
            return patients.map { "\(images) images of \($0.map(String.init).joined(separator: "/")) patients" } ?? "\(images) images"
        }
        let patients = dataset.patients
        return "train \(counts(dataset.train, patients: patients?.trainPatientsPerClass)), "
            + "validation \(counts(dataset.validation, patients: patients?.validationPatientsPerClass)), "
            + "test \(counts(dataset.test, patients: nil)) per class (\(dataset.classNames.joined(separator: "/")))"
    }

    // MARK: - Summary

    /// folds.csv (each fold, mean and sd), predictions.csv (out-of-fold, with the fold and true
    /// class), and the pooled out-of-fold metrics.json, roc.csv, roc.svg and confusion.svg.
    private func summarise(_ datasets: [ImageFolderDataset]) throws {
        let classNames = datasets[0].classNames
        var pooled = Evaluation(labels: [], probabilities: [], embeddings: [], crossEntropy: 0, metric: 0, total: 0)
        var pooledPredicted: [Int] = []
        var foldMetrics: [ClassificationMetrics] = []
        var predictionRows = CSV.line(["fold", "path", "class", "predicted"] + classNames)
        for (index, dataset) in datasets.enumerated() {
            let fold = try RecordedPredictions(
                file: RunDirectory.Layout(path: foldDirectory(index)).file("predictions-test.csv"), test: dataset.test!)
            // Each fold's classes as its run called them, by its own rule (its own threshold).
            foldMetrics.append(try ClassificationMetrics(
                probabilities: fold.probabilities, labels: fold.labels, classNames: classNames, predicted: fold.predicted))
            pooled.labels += fold.labels
            pooled.probabilities += fold.probabilities
            pooledPredicted += fold.predicted
            for (row, path) in fold.paths.enumerated() {
                let probabilities = fold.probabilities[row * classNames.count..<(row + 1) * classNames.count]
                predictionRows += CSV.line(
                    ["\(index + 1)", path, classNames[fold.labels[row]], classNames[fold.predicted[row]]] + probabilities.map { "\($0)" })
            }
        }
        let table = FoldTable(classNames: classNames, folds: foldMetrics)
        let report = try SplitReport(split: "out-of-fold", evaluation: pooled, classNames: classNames, predicted: pooledPredicted)
        try report.write(to: outputPath)
        try AtomicFile.write(table.csv, to: "\(outputPath)/folds.csv")
        try AtomicFile.write(predictionRows, to: "\(outputPath)/predictions.csv")
        guard let display else { return }
        for line in table.text { display.message(line) }
        let pooledAUC = report.metrics.auc.map { String(format: "%.4f", $0) } ?? "n/a"
        display.message(String(
            format: "out-of-fold, %d images pooled: ACC %.4f, AUC %@; results in %@", pooled.labels.count,
            report.metrics.accuracy, pooledAUC, outputPath))
    }
}

/// How far a fold's run got, as rank 0 finds its directory.
private enum FoldStage: Int32, BitwiseCopyable {
    case notStarted, started, finished

    init(at path: String) {
        let layout = RunDirectory.Layout(path: path)
        if FileManager.default.fileExists(atPath: layout.file("predictions-test.csv")) {
            self = .finished
        } else if FileManager.default.fileExists(atPath: layout.lastCheckpointPath) {
            self = .started
        } else {
            self = .notStarted
        }
    }
}

import Data
import Evaluation
import Foundation
import Inference
import Reports

/// The end of a run: final metrics with the best weights on validation and test, ROC points,
/// and the plots, written into the run directory and summarised on the display.
struct RunReport {
    let runDirectory: RunDirectory
    let classNames: [String]
    let display: ProgressDisplay

    /// - Parameter testImages: the test split's images, in the order of `test`'s rows.
    /// - Parameter rule: how a class is predicted, for the confusion matrices and the figures read from them.
    func write(
        history: [HistoryRow], validation: Evaluation, rule: DecisionRule, test: Evaluation?, testImages: ImageFolder?, seconds: Double
    ) throws {
        var reports = [try SplitReport(split: "validation", evaluation: validation, classNames: classNames, rule: rule)]
        if let test { reports.append(try SplitReport(split: "test", evaluation: test, classNames: classNames, rule: rule)) }
        try runDirectory.write(try SplitReport.metricsJSON(reports), to: "metrics.json")
        try runDirectory.write(ROCCurve.csv(reports.map { ($0.split, classNames, $0.curves) }), to: "roc.csv")
        if let test, let testImages {
            let predictions = Self.predictions(test, images: testImages, rule: rule)
            try runDirectory.write(Prediction.csv(predictions, classNames: classNames), to: "predictions-test.csv")
        }

        // Figures from the test split when there is one (the paper's figures are on test data).
        let shown = reports.last!
        try runDirectory.write(shown.rocPlot, to: "plots/roc.svg")
        try runDirectory.write(shown.confusionPlot, to: "plots/confusion.svg")
        try runDirectory.write(shown.reliabilityPlot, to: "plots/reliability.svg")
        if let embeddingPlot = shown.embeddingPlot { try runDirectory.write(embeddingPlot, to: "plots/embeddings-pca.svg") }

        for report in reports {
            let result = report.metrics
            func format(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "n/a" }
            let line = "\(report.split): ACC \(format(result.accuracy))  AUC \(format(result.auc))  mean SEN \(format(result.meanSensitivity))  mean SPE \(format(result.meanSpecificity))"
            display.result(
                ["split": report.split, "acc": result.accuracy, "auc": result.auc as Any, "mean_sen": result.meanSensitivity as Any,
                 "mean_spe": result.meanSpecificity as Any],
                text: line)
        }
        display.message(String(format: "done in %.1f s after %d epoch(s); results in %@", seconds, history.count, runDirectory.path))
    }

    /// One prediction per test image, named by its full path.
    private static func predictions(_ evaluation: Evaluation, images: ImageFolder, rule: DecisionRule) -> [Prediction] {
        let classes = images.classNames.count
        return images.images.enumerated().map { index, image in
            Prediction(
                path: images.url(of: image).path, probabilities: Array(evaluation.probabilities[index * classes..<(index + 1) * classes]),
                rule: rule)
        }
    }
}

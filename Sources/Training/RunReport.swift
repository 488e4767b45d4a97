import Foundation

/// The end of a run: final metrics with the best weights on validation and test, ROC points,
/// and the plots, written into the run directory and summarised on the display.
struct RunReport {
    let runDirectory: RunDirectory
    let classNames: [String]
    let display: ProgressDisplay

    func write(history: [HistoryRow], validation: Evaluation, test: Evaluation?, seconds: Double) throws {
        var splits: [(name: String, evaluation: Evaluation)] = [("validation", validation)]
        if let test { splits.append(("test", test)) }
        var metrics: [String: ClassificationMetrics] = [:]
        var curves: [(split: String, classNames: [String], curves: [ROCCurve?])] = []
        for (name, evaluation) in splits {
            metrics[name] = try ClassificationMetrics(probabilities: evaluation.probabilities, labels: evaluation.labels, classNames: classNames)
            curves.append((name, classNames, try ROCCurve.oneVsRest(probabilities: evaluation.probabilities, labels: evaluation.labels, classCount: classNames.count)))
        }
        try runDirectory.write(try ClassificationMetrics.jsonData(bySplit: metrics), to: "metrics.json")
        try runDirectory.write(ROCCurve.csv(curves), to: "roc.csv")

        // Figures from the test split when there is one (the paper's figures are on test data).
        let (shownName, shown) = splits.last!
        let shownCurves = curves.last!.curves
        let plotted: [(label: String, curve: ROCCurve)]
        if classNames.count == 2, let positive = shownCurves[1] {
            plotted = [(label: "\(classNames[1]) vs \(classNames[0])", curve: positive)]
        } else {
            plotted = zip(classNames, shownCurves).compactMap { name, curve in curve.map { (label: name, curve: $0) } }
        }
        try runDirectory.write(ROCPlot.svg(plotted, title: "ROC curve (\(shownName))"), to: "plots/roc.svg")
        try runDirectory.write(
            ConfusionMatrixPlot.svg(metrics[shownName]!.confusionMatrix, classNames: classNames, title: "Confusion matrix (\(shownName), normalised by true class)"),
            to: "plots/confusion.svg")
        let width = shown.embeddings.count / max(1, shown.labels.count)
        if shown.labels.count >= 2 {
            let projection = PCA(embeddings: shown.embeddings, sampleCount: shown.labels.count, dimension: width)
            try runDirectory.write(
                EmbeddingPlot.svg(projection, labels: shown.labels, classNames: classNames, title: "Embeddings (\(shownName)), first two principal components"),
                to: "plots/embeddings-pca.svg")
        }

        for (name, _) in splits {
            let result = metrics[name]!
            func format(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "n/a" }
            let line = "\(name): ACC \(format(result.accuracy))  AUC \(format(result.auc))  mean SEN \(format(result.meanSensitivity))  mean SPE \(format(result.meanSpecificity))"
            display.result(
                ["split": name, "acc": result.accuracy, "auc": result.auc as Any, "mean_sen": result.meanSensitivity as Any,
                 "mean_spe": result.meanSpecificity as Any],
                text: line)
        }
        display.message(String(format: "done in %.1f s after %d epoch(s); results in %@", seconds, history.count, runDirectory.path))
    }
}

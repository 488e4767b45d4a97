import Evaluation
import Foundation
import Support

/// One split's evaluation turned into what bstrain reports about it: the metrics (eqs. 9-11),
/// the one-vs-rest ROC curves and the figures (ROC, confusion matrix, embedding PCA).
public struct SplitReport {
    /// "test", "validation", ...: the key in metrics.json and roc.csv, and part of the titles.
    public let split: String
    public let classNames: [String]
    public let evaluation: Evaluation
    public let metrics: ClassificationMetrics
    /// 95% intervals of every metric (Wilson, bootstrap, DeLong).
    public let intervals: MetricIntervals
    /// ECE, Brier score and the reliability bins of the probabilities.
    public let calibration: Calibration
    /// One per class; nil where the class is absent from the labels or is every label.
    public let curves: [ROCCurve?]

    /// - Parameter rule: how the confusion matrix and the figures read from it predict a class.
    public init(split: String, evaluation: Evaluation, classNames: [String], rule: DecisionRule = .argmax) throws(MetricsError) {
        try self.init(
            split: split, evaluation: evaluation, classNames: classNames,
            predicted: rule.predictedClasses(evaluation.probabilities, classCount: classNames.count))
    }

    /// - Parameter predicted: the class each sample was given, perhaps each by a rule of its own
    ///   (cross-validation's folds pooled).
    public init(split: String, evaluation: Evaluation, classNames: [String], predicted: [Int]) throws(MetricsError) {
        self.split = split
        self.classNames = classNames
        self.evaluation = evaluation
        metrics = try ClassificationMetrics(
            probabilities: evaluation.probabilities, labels: evaluation.labels, classNames: classNames, predicted: predicted)
        intervals = MetricIntervals(
            metrics: metrics, probabilities: evaluation.probabilities, labels: evaluation.labels, predicted: predicted)
        calibration = Calibration(probabilities: evaluation.probabilities, labels: evaluation.labels, classCount: classNames.count)
        curves = try ROCCurve.oneVsRest(probabilities: evaluation.probabilities, labels: evaluation.labels, classCount: classNames.count)
    }

    /// The one curve that stands for the whole split, with its legend label: for two classes the
    /// positive class's (index 1, whose AUC is the reported one); for more, the micro-average,
    /// every (sample, class) pair scored by its probability and positive when the class is the
    /// sample's (sklearn's `roc_curve(y_onehot.ravel(), p.ravel())`). Its AUC is then not the
    /// reported macro AUC, which averages curves rather than pooling pairs; the label says so.
    public var summaryCurve: (label: String, curve: ROCCurve)? {
        // The report's own curves were formed from the same evaluation in init, so this cannot throw.
        (try? Self.summaryCurve(of: evaluation, classNames: classNames)) ?? nil
    }

    /// `summaryCurve` of `evaluation` alone, without the metrics, intervals and calibration a
    /// report computes (`compare` draws one curve per run and needs nothing else).
    public static func summaryCurve(of evaluation: Evaluation, classNames: [String]) throws(MetricsError) -> (label: String, curve: ROCCurve)? {
        if classNames.count == 2 {
            let curves = try ROCCurve.oneVsRest(probabilities: evaluation.probabilities, labels: evaluation.labels, classCount: 2)
            return curves[1].map { ("\(classNames[1]) vs \(classNames[0])", $0) }
        }
        let pairs = evaluation.labels.flatMap { label in classNames.indices.map { $0 == label } }
        return ROCCurve(scores: evaluation.probabilities, isPositive: pairs).map { ("micro-average over classes", $0) }
    }

    /// roc.svg: the positive class's curve for two classes, one curve per class for more
    /// (the one-vs-rest curves the macro AUC averages), each with its pointwise 95% band.
    public var rocPlot: String {
        let plottedClasses = classNames.count == 2 ? [1] : classNames.indices.filter { curves[$0] != nil }
        let plotted: [(label: String, curve: ROCCurve)]
        if classNames.count == 2 {
            plotted = summaryCurve.map { [$0] } ?? []
        } else {
            plotted = plottedClasses.map { (label: classNames[$0], curve: curves[$0]!) }
        }
        return ROCPlot.svg(plotted, bands: plotted.isEmpty ? [] : plottedClasses.map { band(ofClass: $0) }, title: "ROC curve (\(split))")
    }

    /// The pointwise 95% band of class `classIndex`'s one-vs-rest curve: resamples keep every
    /// true class at its count, as the metrics' bootstrap intervals do.
    public func band(ofClass classIndex: Int) -> ROCBand? {
        let classCount = classNames.count
        return ROCBand(
            scores: evaluation.labels.indices.map { evaluation.probabilities[$0 * classCount + classIndex] },
            isPositive: evaluation.labels.map { $0 == classIndex }, strata: evaluation.labels)
    }

    /// confusion.svg, normalised by true class (figure 9).
    public var confusionPlot: String {
        ConfusionMatrixPlot.svg(
            metrics.confusionMatrix, classNames: classNames, title: "Confusion matrix (\(split), normalised by true class)")
    }

    /// reliability.svg: the reliability diagram of the probabilities, with ECE and Brier score.
    public var reliabilityPlot: String {
        ReliabilityPlot.svg(calibration, title: "Reliability diagram (\(split))")
    }

    /// embeddings-pca.svg (figure 6); nil for fewer than two samples, which span no plane, and
    /// for an evaluation without embeddings (predictions pooled from several models).
    public var embeddingPlot: String? {
        let count = evaluation.labels.count
        guard count >= 2, !evaluation.embeddings.isEmpty else { return nil }
        let projection = PCA(embeddings: evaluation.embeddings, sampleCount: count, dimension: evaluation.embeddings.count / count)
        return EmbeddingPlot.svg(
            projection, labels: evaluation.labels, classNames: classNames,
            title: "Embeddings (\(split)), first two principal components")
    }

    /// Writes metrics.json and roc.csv (the run directory's layouts, with this split alone),
    /// roc.svg, confusion.svg, reliability.svg and embeddings-pca.svg into `folder`, creating it if needed.
    public func write(to folder: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw ReportError.cannotCreateFolder(path: folder, reason: error.localizedDescription)
        }
        try AtomicFile.write(try Self.metricsJSON([self]), to: "\(folder)/metrics.json")
        try AtomicFile.write(ROCCurve.csv([(split, classNames, curves)]), to: "\(folder)/roc.csv")
        try AtomicFile.write(rocPlot, to: "\(folder)/roc.svg")
        try AtomicFile.write(confusionPlot, to: "\(folder)/confusion.svg")
        try AtomicFile.write(reliabilityPlot, to: "\(folder)/reliability.svg")
        if let embeddingPlot { try AtomicFile.write(embeddingPlot, to: "\(folder)/embeddings-pca.svg") }
    }

    /// metrics.json: per split, the keys `ClassificationMetrics` writes, unchanged, plus
    /// `intervals` (`MetricIntervals`) and `calibration` (`Calibration`).
    public static func metricsJSON(_ reports: [SplitReport]) throws -> Data {
        try ClassificationMetrics.jsonData(bySplit: Dictionary(uniqueKeysWithValues: reports.map { ($0.split, ReportedSplit(report: $0)) }))
    }
}

/// One split's entry in metrics.json. Its metrics and its evidence share one JSON object, so
/// readers of the original keys (`ClassificationMetrics`'s decoder, scripts) are unaffected.
private struct ReportedSplit: Encodable {
    let report: SplitReport

    private enum CodingKeys: String, CodingKey {
        case intervals, calibration
    }

    func encode(to encoder: any Encoder) throws {
        try report.metrics.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(report.intervals, forKey: .intervals)
        try container.encode(report.calibration, forKey: .calibration)
    }
}

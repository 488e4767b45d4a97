import Data
import Evaluation
import Foundation

/// Cross-validation's figures: ACC, AUC and each class's sensitivity and specificity for every
/// fold, then their mean and sample standard deviation over the folds (a figure a fold cannot
/// give, such as the AUC of a fold without some class, is left out of both).
public struct FoldTable {
    public let classNames: [String]
    public let folds: [ClassificationMetrics]

    public init(classNames: [String], folds: [ClassificationMetrics]) {
        self.classNames = classNames
        self.folds = folds
    }

    public var headers: [String] {
        ["fold", "images", "ACC", "AUC"] + classNames.flatMap { ["SEN \($0)", "SPE \($0)"] }
    }

    /// One fold's figures in the order of `headers` after the fold and image count.
    private static func figures(_ metrics: ClassificationMetrics) -> [Double?] {
        [metrics.accuracy, metrics.auc] + metrics.classNames.indices.flatMap { [metrics.sensitivity[$0], metrics.specificity[$0]] }
    }

    /// Per column, the mean and sample standard deviation of the defined values; nil for none.
    public var summary: [(mean: Double, standardDeviation: Double)?] {
        let columns = folds.map(Self.figures)
        return (0..<(columns.first?.count ?? 0)).map { column in
            SampleSummary(columns.compactMap { $0[column] }).map { ($0.mean, $0.standardDeviation ?? 0) }
        }
    }

    /// folds.csv: a row per fold, then `mean` and `sd` rows; empty cells for undefined values.
    public var csv: String {
        func cell(_ value: Double?) -> String { value.map { "\($0)" } ?? "" }
        var text = CSV.line(headers)
        for (index, metrics) in folds.enumerated() {
            text += CSV.line(["\(index + 1)", "\(metrics.confusionMatrix.sampleCount)"] + Self.figures(metrics).map(cell))
        }
        let total = "\(folds.reduce(0) { $0 + $1.confusionMatrix.sampleCount })"
        text += CSV.line(["mean", total] + summary.map { cell($0?.mean) })
        text += CSV.line(["sd", total] + summary.map { cell($0?.standardDeviation) })
        return text
    }

    /// The table as printed: one line per fold, then mean ± sd.
    public var text: [String] {
        func cell(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "n/a" }
        var rows = [headers]
        for (index, metrics) in folds.enumerated() {
            rows.append(["\(index + 1)", "\(metrics.confusionMatrix.sampleCount)"] + Self.figures(metrics).map(cell))
        }
        rows.append(["mean ± sd", "\(folds.reduce(0) { $0 + $1.confusionMatrix.sampleCount })"]
            + summary.map { $0.map { String(format: "%.4f ± %.4f", $0.mean, $0.standardDeviation) } ?? "n/a" })
        return textTable(rows)
    }
}

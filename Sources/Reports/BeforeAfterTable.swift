import Data
import Evaluation
import Foundation

/// A run that started from other weights (`--init-from`, such as the classifier re-training of
/// decoupled training) against where it started, on the same split: each class's
/// sensitivity, the balanced accuracy (their mean) and the macro-F1, before and after.
public struct BeforeAfterTable {
    public let split: String
    public let before: ClassificationMetrics
    public let after: ClassificationMetrics

    public init(split: String, before: ClassificationMetrics, after: ClassificationMetrics) {
        precondition(before.classNames == after.classNames, "before and after must read the same classes")
        self.split = split
        self.before = before
        self.after = after
    }

    /// (figure, before, after), the classes' sensitivities first.
    public var rows: [(name: String, before: Double?, after: Double?)] {
        before.classNames.indices.map { ("SEN \(before.classNames[$0])", before.sensitivity[$0], after.sensitivity[$0]) }
            + [("balanced accuracy", before.meanSensitivity, after.meanSensitivity),
               ("macro-F1", before.confusionMatrix.macroF1, after.confusionMatrix.macroF1),
               ("ACC", before.accuracy, after.accuracy)]
    }

    /// CSV rows `split,figure,before,after` under that header when `header` is set.
    public func csv(header: Bool) -> String {
        func cell(_ value: Double?) -> String { value.map { String(format: "%.6f", $0) } ?? "" }
        let lines = rows.map { CSV.line([split, $0.name, cell($0.before), cell($0.after)]) }
        return (header ? CSV.line(["split", "figure", "before", "after"]) : "") + lines.joined()
    }

    /// Lines for the log: "validation SEN COVID-19 0.7600 → 0.8400".
    public var lines: [String] {
        func cell(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "n/a" }
        return rows.map { "\(split) \($0.name): \(cell($0.before)) → \(cell($0.after))" }
    }
}

import Foundation
import Testing
@testable import Evaluation
@testable import Reports

@Suite struct SplitReportTests {
    /// The two-class case worked by hand in EvaluationTests/MetricsTests.swift (AUC 7/8).
    static let binaryProbabilities: [Float] = [0.9, 0.1, 0.8, 0.2, 0.4, 0.6, 0.65, 0.35, 0.1, 0.9, 0.6, 0.4]
    static let binaryLabels = [0, 0, 0, 0, 1, 1]

    static func evaluation(probabilities: [Float], labels: [Int], width: Int = 2) -> Evaluation {
        Evaluation(
            labels: labels, probabilities: probabilities,
            embeddings: labels.indices.flatMap { sample in (0..<width).map { Float(sample * width + $0 * $0) } },
            crossEntropy: 0, metric: 0, total: 0)
    }

    @Test func theBinarySummaryCurveIsThePositiveClassWhoseAUCIsReported() throws {
        let report = try SplitReport(
            split: "test", evaluation: Self.evaluation(probabilities: Self.binaryProbabilities, labels: Self.binaryLabels),
            classNames: ["normal", "pneumonia"])
        let summary = try #require(report.summaryCurve)
        #expect(summary.label == "pneumonia vs normal")
        #expect(summary.curve == report.curves[1])
        #expect(summary.curve.auc == report.metrics.auc)
    }

    /// Three classes: the micro-average pools every (sample, class) pair, scored by the
    /// probability and positive when the class is the sample's label.
    @Test func theMulticlassSummaryCurveIsTheMicroAverageOverAllPairs() throws {
        let probabilities: [Float] = [0.6, 0.3, 0.1, 0.2, 0.3, 0.5, 0.2, 0.1, 0.7]
        let report = try SplitReport(
            split: "validation", evaluation: Self.evaluation(probabilities: probabilities, labels: [0, 2, 2]),
            classNames: ["a", "b", "c"])
        let summary = try #require(report.summaryCurve)
        #expect(summary.label == "micro-average over classes")
        // Positives (label's column): .6, .5, .7; negatives: .3 .1 .2 .3 .2 .1.
        // .6, .5 and .7 each beat all six negatives: AUC 1.
        #expect(summary.curve.auc == 1)
        let tied = try SplitReport(
            split: "validation", evaluation: Self.evaluation(probabilities: [0.3, 0.3, 0.4, 0.2, 0.3, 0.5], labels: [0, 2]),
            classNames: ["a", "b", "c"])
        // Positives .3 (sample 0, a), .5 (sample 1, c); negatives .3 .4 .2 .3.
        // .3 beats .2 and ties .3 twice: 1 + 2 x ½ = 2; .5 beats all 4: 6 of 8.
        #expect(try #require(tied.summaryCurve).curve.auc == 0.75)
    }

    @Test func writesTheMetricsROCPointsAndFigures() throws {
        let folder = NSTemporaryDirectory() + "bstrain-report-\(UUID().uuidString)/eval"
        defer { try? FileManager.default.removeItem(atPath: (folder as NSString).deletingLastPathComponent) }
        let report = try SplitReport(
            split: "test", evaluation: Self.evaluation(probabilities: Self.binaryProbabilities, labels: Self.binaryLabels),
            classNames: ["normal", "pneumonia"])
        try report.write(to: folder)
        let metrics = try JSONDecoder().decode(
            [String: ClassificationMetrics].self, from: Data(contentsOf: URL(fileURLWithPath: "\(folder)/metrics.json")))
        #expect(metrics == ["test": report.metrics])
        let roc = try String(contentsOfFile: "\(folder)/roc.csv", encoding: .utf8)
        #expect(roc.hasPrefix("split,class,threshold,fpr,tpr\ntest,normal,inf,0.0,0.0\n"))
        for figure in ["roc.svg", "confusion.svg", "reliability.svg", "embeddings-pca.svg"] {
            #expect(try String(contentsOfFile: "\(folder)/\(figure)", encoding: .utf8).contains("</svg>"))
        }
    }

    /// metrics.json keeps every key ClassificationMetrics writes, with the same values, and
    /// adds the intervals beside them.
    @Test func metricsJSONAddsIntervalsBesideTheOriginalKeys() throws {
        let report = try SplitReport(
            split: "test", evaluation: Self.evaluation(probabilities: Self.binaryProbabilities, labels: Self.binaryLabels),
            classNames: ["normal", "pneumonia"])
        let original = try #require(JSONSerialization.jsonObject(
            with: ClassificationMetrics.jsonData(bySplit: ["test": report.metrics])) as? [String: [String: Any]])["test"]
        let written = try #require(JSONSerialization.jsonObject(
            with: SplitReport.metricsJSON([report])) as? [String: [String: Any]])["test"]
        let originalKeys = try #require(original).keys.sorted()
        #expect(try #require(written).keys.sorted() == (originalKeys + ["calibration", "intervals"]).sorted())
        for key in originalKeys {
            #expect((written?[key] as? NSObject) == (original?[key] as? NSObject), "\(key) changed")
        }
        let decoded = try JSONDecoder().decode([String: ClassificationMetrics].self, from: SplitReport.metricsJSON([report]))
        #expect(decoded["test"] == report.metrics)
        #expect(written?["intervals"] is [String: Any])
    }
}

import Evaluation
import Foundation
import Testing
@testable import Training

@Suite struct RunPageTests {
    /// A run directory holding only metrics.json for a hand-made test split: 8 of 10 right.
    static func runWithMetricsOnly() throws -> String {
        let labels = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]
        let probabilities: [Float] = [0.9, 0.1, 0.8, 0.2, 0.7, 0.3, 0.6, 0.4, 0.4, 0.6,
                                      0.3, 0.7, 0.2, 0.8, 0.1, 0.9, 0.55, 0.45, 0.35, 0.65]
        let metrics = try ClassificationMetrics(probabilities: probabilities, labels: labels, classNames: ["normal", "<pneumonia>"])
        let intervals = MetricIntervals(
            metrics: metrics, probabilities: probabilities, labels: labels, bootstrap: StratifiedBootstrap(resamples: 200))
        var split = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(metrics)) as? [String: Any])
        split["intervals"] = try JSONSerialization.jsonObject(with: JSONEncoder().encode(intervals))
        let run = NSTemporaryDirectory() + "bstrain-run-page-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: ["test": split]).write(to: URL(fileURLWithPath: "\(run)/metrics.json"))
        return run
    }

    @Test func metricsAreTabledWithTheirIntervalsAndMissingPartsAreSaid() throws {
        let run = try Self.runWithMetricsOnly()
        defer { try? FileManager.default.removeItem(atPath: run) }
        let html = try RunPage(run: run).html(threads: 1, galleryCount: 8)
        #expect(html.contains("<h2>Metrics, test split, with 95% intervals</h2>"))
        #expect(html.contains("<td>ACC</td><td>0.8000</td><td>[0.4902, 0.9433]</td>"))   // Wilson, 8 of 10
        #expect(html.contains("<td>AUC (&lt;pneumonia&gt;)</td>"))
        #expect(!html.contains("<svg"))
        #expect(html.contains("The run has no test split (train with --test), so there is no gallery."))
        #expect(html.contains("<pre>(no config.yaml)</pre>"))
    }

    @Test func aRunWithoutMetricsIsRefusedWithThePath() {
        let run = NSTemporaryDirectory() + "bstrain-no-run-\(UUID().uuidString)"
        #expect(throws: RunPageError.self) { try RunPage(run: run).write(threads: 1) }
    }
}

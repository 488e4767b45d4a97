import ArgumentParser
import Data
import Evaluation
import Foundation
import Reports
import Support
import Training

/// `bstrain eval`: the paper's metrics of trained weights on a labelled folder.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate trained weights on a labelled folder: per-class and mean SEN and SPE, ACC, AUC, confusion matrix.",
        discussion: """
            The network, classes, image size and channels come from the weights file's metadata; \
            the folder must hold one subfolder per trained class, named the same. Images are decoded \
            and resized as in training. SEN = TP/(TP+FN) and SPE = TN/(TN+FP) per class (one against \
            the rest) and their means, ACC, and AUC (of the positive class for two classes, the macro \
            average of one-vs-rest AUCs for more), as in the paper's eqs. 9-11. With --out, writes \
            metrics.json and roc.csv (the layouts of a run directory, split "test") and the figures \
            roc.svg, confusion.svg, reliability.svg and embeddings-pca.svg. Every metric comes with its \
            95% interval (Wilson and stratified bootstrap for SEN, SPE and ACC, DeLong for AUC); \
            calibration is summarised by the expected calibration error (15 bins) and the Brier score.
            """)

    @OptionGroup var options: InferenceOptions

    @Option(help: "Labelled images: a folder with one subfolder of JPEG or PNG images per class.")
    var test: String

    @Option(help: "Folder for metrics.json, roc.csv and the plots (created if missing).")
    var out: String?

    @Flag(help: "Skip bad images (corrupt, or neither JPEG nor PNG) (listed on stderr) instead of stopping.")
    var skipBad = false

    func run() throws {
        let trained = try options.open()
        let folder = try ImageFolder.scan(URL(fileURLWithPath: test))
        try trained.checkClasses(of: folder)
        let cache = try trained.decode(
            folder, threads: options.threadCount, skipBad: skipBad, maximumPixels: options.maxImagePixels)
        for skipped in cache.skipped {
            writeToStandardError("bstrain: warning: skipped \(skipped.error)\n")
        }
        let report = try SplitReport(
            split: "test", evaluation: try trained.evaluate(cache, threads: options.threadCount), classNames: trained.metadata.classNames,
            rule: trained.metadata.decisionRule)
        print(trained.summary)
        print("test: \(test), \(cache.count) images")
        print("")
        for line in metricsLines(report.metrics, intervals: report.intervals) { print(line) }
        print("")
        print(String(
            format: "calibration: ECE %.4f (%d equal-width confidence bins), Brier score %.4f",
            report.calibration.expectedCalibrationError, report.calibration.bins.count, report.calibration.brierScore))
        if let out {
            try report.write(to: out)
            print("")
            print("wrote metrics.json, roc.csv, roc.svg, confusion.svg, reliability.svg and embeddings-pca.svg to \(out)")
        }
    }

    /// Per-class SEN, SPE and AUC with their 95% intervals (Wilson for SEN and SPE, DeLong for
    /// AUC) and the means, then ACC and AUC with theirs, then the confusion matrix.
    private func metricsLines(_ metrics: ClassificationMetrics, intervals: MetricIntervals) -> [String] {
        func format(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "n/a" }
        func format(_ value: Double?, _ interval: ConfidenceInterval?) -> String {
            format(value) + (interval.map { " \($0)" } ?? "")
        }
        let matrix = metrics.confusionMatrix
        var perClass = [["class", "images", "SEN [95% CI]", "SPE [95% CI]", "AUC [95% CI]"]]
        for (index, name) in metrics.classNames.enumerated() {
            let classIntervals = intervals.perClass[name]
            perClass.append([
                name, "\(matrix.support(of: index))",
                format(metrics.sensitivity[index], classIntervals?.sensitivity.wilson),
                format(metrics.specificity[index], classIntervals?.specificity.wilson),
                format(metrics.classAUC[index], classIntervals?.auc.delong),
            ])
        }
        perClass.append([
            "mean", "\(matrix.sampleCount)", format(metrics.meanSensitivity, intervals.meanSensitivity.bootstrap),
            format(metrics.meanSpecificity, intervals.meanSpecificity.bootstrap), "",
        ])
        var confusion = [["true \\ predicted"] + metrics.classNames]
        for (index, name) in metrics.classNames.enumerated() {
            confusion.append([name] + matrix.rows[index].map { "\($0)" })
        }
        let aucKind = metrics.classNames.count > 2 ? "macro-average of one-vs-rest" : "\(metrics.classNames[1]) positive"
        return textTable(perClass)
            + ["",
               "ACC \(format(metrics.accuracy, intervals.accuracy.wilson)) (Wilson), \(intervals.accuracy.bootstrap.map { "\($0)" } ?? "n/a") (bootstrap)",
               "AUC \(format(metrics.auc, intervals.auc.delong)) (DeLong; \(aucKind))",
               "95% intervals: SEN, SPE by Wilson; means by stratified bootstrap (\(intervals.bootstrap.resamples) resamples, seed \(intervals.bootstrap.seed)); AUC by DeLong",
               ""]
            + textTable(confusion)
    }
}

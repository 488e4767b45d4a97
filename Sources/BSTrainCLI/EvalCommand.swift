import ArgumentParser
import Data
import Evaluation
import Foundation
import Inference
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
            calibration is summarised by the expected calibration error (15 bins) and the Brier score. \
            --classifier knn classifies by the nearest cases of an index instead of the head (the \
            head's ACC and SEN are printed beside). --retrieval adds the retrieval metrics of the \
            embedding (precision@1, Recall@1/5/10, R-precision, MAP@R) and kNN accuracies, the test \
            images as queries against --gallery INDEX or, without it, each against the others.
            """)

    @OptionGroup var options: InferenceOptions

    @Option(help: "Labelled images: a folder with one subfolder of JPEG or PNG images per class.")
    var test: String

    @Option(help: "Folder for metrics.json, roc.csv and the plots (created if missing).")
    var out: String?

    @Flag(help: "Skip bad images (corrupt, or neither JPEG nor PNG) (listed on stderr) instead of stopping.")
    var skipBad = false

    @OptionGroup var classifierOptions: ClassifierOptions

    @Flag(help: "Also report retrieval metrics and kNN accuracies of the embedding (written to retrieval.json with --out).")
    var retrieval = false

    @Option(help: "Gallery index for --retrieval (made by 'bstrain index' with the same weights; default: leave-one-out within --test).")
    var gallery: String?

    func validate() throws {
        if gallery != nil, !retrieval { throw ValidationError("--gallery is the gallery of --retrieval; add --retrieval") }
    }

    func run() throws {
        let trained = try options.open()
        let folder = try ImageFolder.scan(URL(fileURLWithPath: test))
        try trained.checkClasses(of: folder)
        let cache = try trained.decode(
            folder, threads: options.threadCount, skipBad: skipBad, maximumPixels: options.maxImagePixels)
        for skipped in cache.skipped {
            writeToStandardError("bstrain: warning: skipped \(skipped.error)\n")
        }
        let headEvaluation = try trained.evaluate(cache, threads: options.threadCount)
        let classNames = trained.metadata.classNames
        let head = try ClassificationMetrics(
            probabilities: headEvaluation.probabilities, labels: headEvaluation.labels, classNames: classNames,
            rule: trained.metadata.decisionRule)
        var evaluation = headEvaluation
        evaluation.probabilities = try classifierOptions.scores(
            trained: trained, probabilities: headEvaluation.probabilities, embeddings: headEvaluation.embeddings)
        let report = try SplitReport(
            split: "test", evaluation: evaluation, classNames: classNames,
            rule: classifierOptions.classifier == .head ? trained.metadata.decisionRule : .argmax)
        print(trained.summary)
        print(classifierOptions.summary)
        print("test: \(test), \(cache.count) images")
        print("")
        for line in metricsLines(report.metrics, intervals: report.intervals) { print(line) }
        if classifierOptions.classifier == .knn {
            print("")
            print("the head on the same images: ACC \(String(format: "%.4f", head.accuracy)); SEN "
                + zip(classNames, head.sensitivity).map { "\($0) \($1.map { String(format: "%.4f", $0) } ?? "n/a")" }.joined(separator: ", "))
        }
        print("")
        print(String(
            format: "calibration: ECE %.4f (%d equal-width confidence bins), Brier score %.4f",
            report.calibration.expectedCalibrationError, report.calibration.bins.count, report.calibration.brierScore))
        let retrievalEvaluation = try retrieval ? evaluateRetrieval(headEvaluation, trained: trained) : nil
        if let retrievalEvaluation {
            print("")
            for line in retrievalLines(retrievalEvaluation, head: head) { print(line) }
        }
        if let out {
            try report.write(to: out)
            if let retrievalEvaluation { try AtomicFile.write(try retrievalEvaluation.jsonData(), to: "\(out)/retrieval.json") }
            print("")
            print("wrote metrics.json, roc.csv, roc.svg, confusion.svg, reliability.svg and embeddings-pca.svg"
                + (retrieval ? ", retrieval.json" : "") + " to \(out)")
        }
    }

    /// The test images' embeddings as queries against --gallery, or leave-one-out among themselves.
    private func evaluateRetrieval(_ evaluation: Evaluation, trained: TrainedModel) throws -> RetrievalEvaluation {
        let galleryEmbeddings = try gallery.map { path in
            let index = try classifierOptions.openIndex(for: trained, path: path)
            return (name: path, embeddings: index.embeddings, labels: index.labels)
        }
        return RetrievalEvaluation(
            queries: evaluation.embeddings, queryLabels: evaluation.labels, gallery: galleryEmbeddings,
            width: trained.model.embeddingWidth, classNames: trained.metadata.classNames)
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

import Data
import Evaluation
import Foundation
import Inference
import Reports
import Support

/// report.html: one page to read a finished run by, built from what the run directory holds
/// (config.yaml, metrics.json, the plots, predictions-test.csv and the best weights), so it
/// is written the same way at the end of `train` and by `bstrain report RUN` for older runs.
public struct RunPage {
    /// How many of the test split's most confident errors the gallery shows.
    public static let galleryDefault = 8

    public let run: RunDirectory.Layout

    public init(run: String) {
        self.run = RunDirectory.Layout(path: run)
    }

    /// Writes `report.html` into the run directory and returns its path.
    /// - Parameter threads: for decoding the gallery's images and their Grad-CAM.
    @discardableResult
    public func write(threads: Int, galleryCount: Int = galleryDefault) throws -> String {
        let path = run.file("report.html")
        try AtomicFile.write(try html(threads: threads, galleryCount: galleryCount), to: path)
        return path
    }

    func html(threads: Int, galleryCount: Int) throws -> String {
        var page = HTMLPage(title: "bstrain run \((run.path as NSString).lastPathComponent)")
        page.paragraph("Run directory: \(run.path)")
        let splits = try metrics()
        for split in ["test", "validation"] where splits[split] != nil {
            page.heading("Metrics, \(split) split, with 95% intervals")
            let (header, rows) = Self.metricsTable(splits[split]!)
            page.table(header: header, rows: rows)
        }
        page.heading("Figures")
        for (file, caption) in Self.figures {
            guard let svg = try? String(contentsOfFile: run.file("plots/\(file)"), encoding: .utf8) else { continue }
            page.figure(svg: svg, caption: caption)
        }
        page.heading("Most confident errors on the test split, with Grad-CAM of the predicted class")
        let gallery = try confidentErrors(count: galleryCount, threads: threads)
        page.paragraph(gallery.note)
        if !gallery.pictures.isEmpty { page.gallery(gallery.pictures) }
        page.heading("Configuration (config.yaml)")
        page.preformatted((try? String(contentsOfFile: run.file("config.yaml"), encoding: .utf8)) ?? "(no config.yaml)")
        return page.html
    }

    /// The plots a run writes, with what each shows.
    static let figures: [(file: String, caption: String)] = [
        ("loss.svg", "Training and validation loss per epoch"),
        ("roc.svg", "ROC curve with its pointwise 95% band (stratified bootstrap of TPR at fixed FPR)"),
        ("confusion.svg", "Confusion matrix, normalised by true class"),
        ("reliability.svg", "Reliability diagram, with ECE and Brier score"),
        ("embeddings-pca.svg", "Embeddings, first two principal components"),
    ]

    /// One split of metrics.json: the point estimates and their intervals.
    struct ReportedSplit: Decodable {
        let metrics: ClassificationMetrics
        let intervals: MetricIntervals

        private enum CodingKeys: String, CodingKey { case intervals }

        init(from decoder: any Decoder) throws {
            metrics = try ClassificationMetrics(from: decoder)
            intervals = try decoder.container(keyedBy: CodingKeys.self).decode(MetricIntervals.self, forKey: .intervals)
        }
    }

    private func metrics() throws -> [String: ReportedSplit] {
        let path = run.file("metrics.json")
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RunPageError.missingFile(path: path, what: "the run's metrics")
        }
        do {
            return try JSONDecoder().decode([String: ReportedSplit].self, from: data)
        } catch {
            throw RunPageError.unreadableMetrics(path: path, reason: "\(error)")
        }
    }

    /// A row per metric: its value and its Wilson, bootstrap and DeLong intervals where it has them.
    static func metricsTable(_ split: ReportedSplit) -> (header: [String], rows: [[String]]) {
        func value(_ number: Double?) -> String { number.map { String(format: "%.4f", $0) } ?? "n/a" }
        func row(_ name: String, _ point: Double?, _ estimates: MetricIntervals.Estimates?) -> [String] {
            [name, value(point)] + [estimates?.wilson, estimates?.bootstrap, estimates?.delong].map { $0?.description ?? "" }
        }
        let metrics = split.metrics
        let intervals = split.intervals
        var rows = [
            row("ACC", metrics.accuracy, intervals.accuracy),
            row(metrics.classNames.count == 2 ? "AUC (\(metrics.classNames[1]))" : "AUC (macro)", metrics.auc, intervals.auc),
            row("mean SEN", metrics.meanSensitivity, intervals.meanSensitivity),
            row("mean SPE", metrics.meanSpecificity, intervals.meanSpecificity),
        ]
        for (index, name) in metrics.classNames.enumerated() {
            let perClass = intervals.perClass[name]
            rows.append(row("SEN \(name)", metrics.sensitivity[index], perClass?.sensitivity))
            rows.append(row("SPE \(name)", metrics.specificity[index], perClass?.specificity))
            rows.append(row("AUC \(name) vs rest", metrics.classAUC[index], perClass?.auc))
        }
        return (["metric", "value", "Wilson 95%", "bootstrap 95%", "DeLong 95%"], rows)
    }

    /// The test images the run called wrongly with the highest probability for its call, each
    /// with the Grad-CAM of the class it called; with a note saying what was shown or why not.
    private func confidentErrors(count: Int, threads: Int) throws -> (pictures: [(jpeg: Data, caption: [String])], note: String) {
        guard count > 0 else { return ([], "No gallery was asked for (--gallery 0).") }
        let predictionsPath = run.file("predictions-test.csv")
        guard FileManager.default.fileExists(atPath: predictionsPath) else {
            return ([], "The run has no test split (train with --test), so there is no gallery.")
        }
        let configuration = try TrainingConfiguration.load(yamlFile: run.file("config.yaml"))
        guard let testPath = configuration.test else {
            return ([], "config.yaml names no test folder, so there is no gallery.")
        }
        let test = try ImageFolder.scan(URL(fileURLWithPath: testPath))
        let recorded = try RecordedPredictions(file: predictionsPath, test: test)
        let classCount = test.classNames.count
        let confidence = { (row: Int) in recorded.probabilities[row * classCount + recorded.predicted[row]] }
        let errors = recorded.labels.indices.filter { recorded.predicted[$0] != recorded.labels[$0] }
        let shown = Array(errors.sorted { confidence($0) > confidence($1) }.prefix(count))
        guard !shown.isEmpty else {
            return ([], "The run called every one of the \(recorded.labels.count) test images right.")
        }

        let trained = try TrainedModel(weightsPath: run.bestWeightsPath, batchCapacity: shown.count)
        let imageOfPath = Dictionary(test.images.map { (test.url(of: $0).path, $0) }, uniquingKeysWith: { first, _ in first })
        // One pseudo-class: the errors need not cover every class, which a labelled folder requires.
        let folder = ImageFolder(
            root: test.root, classNames: ["gallery"], images: shown.map { LabeledImage(path: imageOfPath[recorded.paths[$0]]!.path, label: 0) })
        let cache = try trained.decode(folder, threads: threads, maximumPixels: configuration.maxImagePixels)
        let maps = try GradCAM(model: trained.model).maps(cache, classes: shown.map { recorded.predicted[$0] }, threads: threads)
        let pictures = zip(shown, maps).enumerated().map { index, entry in
            let (row, map) = entry
            let overlay = HeatmapOverlay.image(cache.image(at: index), map: map)
            return (jpeg: JPEG.encode(overlay, quality: 90), caption: [
                (recorded.paths[row] as NSString).lastPathComponent,
                "true \(test.classNames[recorded.labels[row]]), called \(test.classNames[recorded.predicted[row]])",
                String(format: "p(called) = %.3f", confidence(row)),
            ])
        }
        return (pictures, "\(shown.count) of the \(errors.count) errors among \(recorded.labels.count) test images, most confident first; "
            + "the heatmap (blue 0 to red 1) shows where the evidence for the wrong call lay.")
    }
}

/// Why report.html cannot be written.
public enum RunPageError: Error, CustomStringConvertible {
    case missingFile(path: String, what: String)
    case unreadableMetrics(path: String, reason: String)

    public var description: String {
        switch self {
        case let .missingFile(path, what):
            "\(path) is missing (\(what)); give the directory of a finished run ('bstrain train' writes it at the end)"
        case let .unreadableMetrics(path, reason):
            "\(path) is not the metrics.json bstrain writes (\(reason)); rerun 'bstrain eval' or the training to rewrite it"
        }
    }
}

import Evaluation
import Reports

/// eval --retrieval's tables: the retrieval metrics overall and per class, then the kNN
/// classifiers' accuracy and per-class sensitivity beside the head's on the same images.
func retrievalLines(_ retrieval: RetrievalEvaluation, head: ClassificationMetrics) -> [String] {
    func format(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "n/a" }
    let metrics = retrieval.metrics
    let recallHeaders = RetrievalMetrics.recallRanks.map { "R@\($0)" }
    var table = [["class", "queries", "P@1"] + recallHeaders + ["R-precision", "MAP@R"]]
    func row(_ name: String, _ figures: RetrievalMetrics.Figures?) -> [String] {
        guard let figures else { return [name, "0"] + Array(repeating: "n/a", count: 3 + recallHeaders.count) }
        return [name, "\(figures.queries)", format(figures.precisionAt1)] + figures.recallAtK.map(format)
            + [format(figures.rPrecision), format(figures.meanAveragePrecisionAtR)]
    }
    for (name, figures) in zip(metrics.classNames, metrics.perClass) { table.append(row(name, figures)) }
    table.append(row("all", metrics.overall))

    var classifiers = [["classifier", "ACC"] + metrics.classNames.map { "SEN \($0)" }]
    classifiers.append(["head", format(head.accuracy)] + head.sensitivity.map(format))
    for result in retrieval.classifiers {
        classifiers.append(["\(result.k)-NN \(result.vote.rawValue)", format(result.accuracy)] + result.sensitivity.map(format))
    }
    let gallery = retrieval.gallery == "leave-one-out" ? "each image against the others (leave-one-out)" : "against the gallery \(retrieval.gallery)"
    return ["retrieval, \(gallery), cosine similarity; queries without a same-class gallery image are not counted:"]
        + textTable(table)
        + ["", "kNN classifiers on the same neighbours, beside the trained head:"]
        + textTable(classifiers)
}

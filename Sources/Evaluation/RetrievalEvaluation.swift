import Foundation

/// What `eval --retrieval` reports of an embedding: the retrieval metrics of a labelled set of
/// queries against a gallery (or each query against the others, leave-one-out), and the
/// accuracy of kNN classifiers on the same neighbours, with per-class sensitivity, to set beside
/// the linear head's.
public struct RetrievalEvaluation: Codable, Equatable, Sendable {
    /// One kNN classifier's results on the queries.
    public struct ClassifierResult: Codable, Equatable, Sendable {
        public let k: Int
        public let vote: NearestNeighbourClassifier.Vote
        public let accuracy: Double
        /// Per class: the fraction of its queries classified as it; nil for a class without queries.
        public let sensitivity: [Double?]
    }

    /// "leave-one-out", or the gallery's description (an index's path).
    public let gallery: String
    public let metrics: RetrievalMetrics
    /// For each k of `NearestNeighbourClassifier.reportedK`, a majority and a similarity-weighted vote.
    public let classifiers: [ClassifierResult]

    /// Queries ((labels.count, width)) against `gallery` (nil: leave-one-out within the queries);
    /// labels of both index `classNames`.
    public init(
        queries: [Float], queryLabels: [Int], gallery: (name: String, embeddings: [Float], labels: [Int])?,
        width: Int, classNames: [String]
    ) {
        let galleryLabels = gallery?.labels ?? queryLabels
        let k = max(
            RetrievalMetrics.neighboursNeeded(galleryLabels: galleryLabels, classCount: classNames.count),
            NearestNeighbourClassifier.reportedK.max()!)
        let neighbours = gallery.map { NearestNeighbours.search(queries: queries, gallery: $0.embeddings, width: width, k: k) }
            ?? NearestNeighbours.leaveOneOut(embeddings: queries, width: width, k: k)
        self.gallery = gallery?.name ?? "leave-one-out"
        metrics = RetrievalMetrics(
            neighbours: neighbours, queryLabels: queryLabels, galleryLabels: galleryLabels, classNames: classNames,
            leaveOneOut: gallery == nil)
        classifiers = NearestNeighbourClassifier.reportedK.flatMap { k in
            NearestNeighbourClassifier.Vote.allCases.map { vote in
                let predictions = NearestNeighbourClassifier(k: k, vote: vote)
                    .predictions(neighbours: neighbours, galleryLabels: galleryLabels, classCount: classNames.count)
                let matrix = ConfusionMatrix(trueClasses: queryLabels, predictedClasses: predictions, classCount: classNames.count)
                return ClassifierResult(
                    k: k, vote: vote, accuracy: Double(matrix.correctCount) / Double(max(matrix.sampleCount, 1)),
                    sensitivity: (0..<classNames.count).map { classIndex in
                        let support = matrix.support(of: classIndex)
                        return support > 0 ? Double(matrix.truePositives(of: classIndex)) / Double(support) : nil
                    })
            }
        }
    }
}

extension RetrievalEvaluation {
    /// retrieval.json: keys in snake case and sorted, as metrics.json's.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return try encoder.encode(self)
    }
}

/// A k-nearest-neighbour classifier on the embedding: a query's class scores are the votes of
/// its k most similar gallery items, as scikit-learn's `KNeighborsClassifier(metric="cosine")`
/// computes `predict_proba` (uniform weights for `majority`; `weights=lambda d: 1 - d`, the
/// cosine similarity, for `similarityWeighted`). The predicted class is the highest score, the
/// lowest class index on a tie, as scikit-learn's argmax.
public struct NearestNeighbourClassifier: Sendable {
    public enum Vote: String, CaseIterable, Codable, Sendable {
        /// One vote per neighbour.
        case majority
        /// Each neighbour votes with its cosine similarity to the query.
        case similarityWeighted = "similarity-weighted"
    }

    /// The k of the kNN classifiers `eval --retrieval` reports.
    public static let reportedK = [1, 5, 10]

    public let k: Int
    public let vote: Vote

    public init(k: Int, vote: Vote) {
        precondition(k > 0, "k must be positive")
        self.k = k
        self.vote = vote
    }

    /// (queryCount, classCount) scores: each class's share of the total vote of the first `k`
    /// neighbours (all of them if fewer). A similarity-weighted vote whose weights sum to zero
    /// or less, every neighbour dissimilar, has no shares: it falls back to the majority vote.
    public func scores(neighbours: NearestNeighbours, galleryLabels: [Int], classCount: Int) -> [Float] {
        let used = min(k, neighbours.k)
        var scores = [Float](repeating: 0, count: neighbours.queryCount * classCount)
        for query in 0..<neighbours.queryCount {
            let ranks = query * neighbours.k..<query * neighbours.k + used
            var weights = ranks.map { vote == .majority ? 1 : Double(neighbours.similarities[$0]) }
            if weights.reduce(0, +) <= 0 { weights = weights.map { _ in 1 } }
            let total = weights.reduce(0, +)
            var shares = [Double](repeating: 0, count: classCount)
            for (rank, weight) in zip(ranks, weights) { shares[galleryLabels[neighbours.indices[rank]]] += weight / total }
            for (classIndex, share) in shares.enumerated() { scores[query * classCount + classIndex] = Float(share) }
        }
        return scores
    }

    /// The predicted class of each query.
    public func predictions(neighbours: NearestNeighbours, galleryLabels: [Int], classCount: Int) -> [Int] {
        DecisionRule.argmax.predictedClasses(
            scores(neighbours: neighbours, galleryLabels: galleryLabels, classCount: classCount), classCount: classCount)
    }
}

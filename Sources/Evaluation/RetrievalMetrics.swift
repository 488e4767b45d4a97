/// How well the nearest neighbours of each query share its class: the retrieval metrics of
/// Musgrave et al. 2020 ("A Metric Learning Reality Check"), defined as pytorch-metric-learning's
/// `AccuracyCalculator` computes them (avg_of_avgs off: means over queries; per class: means
/// over the queries of that class).
///
/// R of a query is the number of gallery items of its class (less itself in leave-one-out). A
/// query with R = 0 can retrieve nothing relevant and is left out of every figure, as
/// pytorch-metric-learning leaves out its "lone" queries.
public struct RetrievalMetrics: Codable, Equatable, Sendable {
    /// The K of Recall@K reported.
    public static let recallRanks = [1, 5, 10]

    /// The figures over one group of queries (all, or one class's).
    public struct Figures: Codable, Equatable, Sendable {
        /// Queries counted (R > 0).
        public let queries: Int
        /// Fraction whose nearest neighbour has the query's class.
        public let precisionAt1: Double
        /// Recall@K (K in `recallRanks`), as Musgrave et al. and the deep-metric-learning papers
        /// use it: the fraction of queries with at least one of the K nearest in their class.
        public let recallAtK: [Double]
        /// Mean over queries of (neighbours of the query's class among its R nearest) / R.
        public let rPrecision: Double
        /// Mean over queries of (1/R) Σ_{i ≤ R, neighbour i relevant} precision@i.
        public let meanAveragePrecisionAtR: Double

        /// pytorch-metric-learning's names.
        enum CodingKeys: String, CodingKey {
            case queries
            case precisionAt1 = "precision_at_1"
            case recallAtK = "recall_at_k"
            case rPrecision = "r_precision"
            case meanAveragePrecisionAtR = "mean_average_precision_at_r"
        }
    }

    public let classNames: [String]
    /// The K of each entry of `Figures.recallAtK` (`recallRanks`), for readers of the JSON.
    public let recallRanks: [Int]
    public let overall: Figures
    /// One entry per class; nil for a class without counted queries.
    public let perClass: [Figures?]

    /// The neighbours needed: R of every query and the largest K of Recall@K.
    public static func neighboursNeeded(galleryLabels: [Int], classCount: Int) -> Int {
        max(classCounts(galleryLabels, classCount: classCount).max() ?? 0, recallRanks.max()!)
    }

    /// Figures from each query's ranked neighbours, which must hold at least
    /// `neighboursNeeded` of them (or the whole gallery). `leaveOneOut`: queries and gallery
    /// are one set, each query excluded from its own neighbours.
    public init(
        neighbours: NearestNeighbours, queryLabels: [Int], galleryLabels: [Int], classNames: [String], leaveOneOut: Bool
    ) {
        precondition(neighbours.queryCount == queryLabels.count, "one label per query")
        let counts = Self.classCounts(galleryLabels, classCount: classNames.count)
        var sums = [Sums](repeating: Sums(), count: classNames.count)
        for (query, label) in queryLabels.enumerated() {
            let relevantCount = counts[label] - (leaveOneOut ? 1 : 0)
            guard relevantCount > 0 else { continue }
            precondition(neighbours.k >= relevantCount, "\(neighbours.k) neighbours are fewer than R = \(relevantCount)")
            let ranked = neighbours.indices[query * neighbours.k..<(query + 1) * neighbours.k]
            let relevant = ranked.map { galleryLabels[$0] == label }
            sums[label].add(relevant: relevant, relevantCount: relevantCount)
        }
        self.classNames = classNames
        recallRanks = Self.recallRanks
        overall = sums.reduce(Sums(), +).figures
        perClass = sums.map { $0.queries > 0 ? $0.figures : nil }
    }

    private static func classCounts(_ labels: [Int], classCount: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: classCount)
        for label in labels { counts[label] += 1 }
        return counts
    }

    /// Per-query figures summed over a group of queries.
    private struct Sums {
        var queries = 0
        var precisionAt1 = 0.0
        var recallAtK = [Double](repeating: 0, count: RetrievalMetrics.recallRanks.count)
        var rPrecision = 0.0
        var averagePrecisionAtR = 0.0

        /// `relevant`: whether each ranked neighbour has the query's class.
        mutating func add(relevant: [Bool], relevantCount: Int) {
            queries += 1
            if relevant.first == true { precisionAt1 += 1 }
            for (index, rank) in RetrievalMetrics.recallRanks.enumerated() where relevant.prefix(rank).contains(true) {
                recallAtK[index] += 1
            }
            var hits = 0
            var precisionSum = 0.0
            for (position, isRelevant) in relevant.prefix(relevantCount).enumerated() where isRelevant {
                hits += 1
                precisionSum += Double(hits) / Double(position + 1)
            }
            rPrecision += Double(hits) / Double(relevantCount)
            averagePrecisionAtR += precisionSum / Double(relevantCount)
        }

        static func + (lhs: Sums, rhs: Sums) -> Sums {
            Sums(
                queries: lhs.queries + rhs.queries, precisionAt1: lhs.precisionAt1 + rhs.precisionAt1,
                recallAtK: zip(lhs.recallAtK, rhs.recallAtK).map(+), rPrecision: lhs.rPrecision + rhs.rPrecision,
                averagePrecisionAtR: lhs.averagePrecisionAtR + rhs.averagePrecisionAtR)
        }

        var figures: Figures {
            let count = Double(max(queries, 1))
            return Figures(
                queries: queries, precisionAt1: precisionAt1 / count, recallAtK: recallAtK.map { $0 / count },
                rPrecision: rPrecision / count, meanAveragePrecisionAtR: averagePrecisionAtR / count)
        }
    }
}

/// Counts of (true class, predicted class) pairs: rows are true classes, columns predicted
/// classes, as in the paper's figure 9 and sklearn's `confusion_matrix`. The one-vs-rest
/// counts of eqs. 9-10 (TP, FN, FP, TN of one class against all others) are read from it.
public struct ConfusionMatrix: Equatable, Sendable {
    public let classCount: Int
    /// (C, C) row-major: `counts[trueClass * C + predictedClass]`.
    private let counts: [Int]

    /// Tallies each sample's true and predicted class; both must be indices in 0..<classCount.
    public init(trueClasses: [Int], predictedClasses: [Int], classCount: Int) {
        precondition(trueClasses.count == predictedClasses.count, "one predicted class per true class")
        var counts = [Int](repeating: 0, count: classCount * classCount)
        for (trueClass, predictedClass) in zip(trueClasses, predictedClasses) {
            precondition((0..<classCount).contains(trueClass) && (0..<classCount).contains(predictedClass),
                         "class index outside 0..<\(classCount)")
            counts[trueClass * classCount + predictedClass] += 1
        }
        self.classCount = classCount
        self.counts = counts
    }

    /// Number of samples of class `trueClass` that were predicted as `predictedClass`.
    public subscript(trueClass: Int, predictedClass: Int) -> Int {
        counts[trueClass * classCount + predictedClass]
    }

    /// The counts as rows (one per true class), the layout written to metrics.json.
    public var rows: [[Int]] {
        (0..<classCount).map { Array(counts[$0 * classCount..<($0 + 1) * classCount]) }
    }

    public var sampleCount: Int { counts.reduce(0, +) }

    /// Samples on the diagonal, predicted as their true class.
    public var correctCount: Int { (0..<classCount).reduce(0) { $0 + self[$1, $1] } }

    /// Samples whose true class is `classIndex` (the row sum).
    public func support(of classIndex: Int) -> Int {
        (0..<classCount).reduce(0) { $0 + self[classIndex, $1] }
    }

    /// Samples predicted as `classIndex` (the column sum).
    public func predictedCount(of classIndex: Int) -> Int {
        (0..<classCount).reduce(0) { $0 + self[$1, classIndex] }
    }

    public func truePositives(of classIndex: Int) -> Int { self[classIndex, classIndex] }

    public func falseNegatives(of classIndex: Int) -> Int {
        support(of: classIndex) - truePositives(of: classIndex)
    }

    public func falsePositives(of classIndex: Int) -> Int {
        predictedCount(of: classIndex) - truePositives(of: classIndex)
    }

    public func trueNegatives(of classIndex: Int) -> Int {
        sampleCount - support(of: classIndex) - falsePositives(of: classIndex)
    }

    /// F1 of `classIndex`, 2·TP / (2·TP + FP + FN); nil when the class is neither present nor predicted.
    public func f1(of classIndex: Int) -> Double? {
        let denominator = 2 * truePositives(of: classIndex) + falsePositives(of: classIndex) + falseNegatives(of: classIndex)
        return denominator == 0 ? nil : Double(2 * truePositives(of: classIndex)) / Double(denominator)
    }

    /// The mean F1 over the classes present or predicted, as scikit-learn's
    /// `f1_score(average="macro")`: a rare class counts as much as a common one.
    public var macroF1: Double? {
        let scores = (0..<classCount).compactMap(f1(of:))
        return scores.isEmpty ? nil : scores.reduce(0, +) / Double(scores.count)
    }

    /// Each row divided by its sum, so a row reads as "where the samples of this class went"
    /// (the normalised matrix of figure 9). A class with no samples has no such distribution:
    /// its row is nil.
    public func rowNormalized() -> [[Double]?] {
        (0..<classCount).map { trueClass in
            let total = support(of: trueClass)
            guard total > 0 else { return nil }
            return (0..<classCount).map { Double(self[trueClass, $0]) / Double(total) }
        }
    }
}

/// Encoded as its rows, `[[Int]]`, one per true class.
extension ConfusionMatrix: Codable {
    public init(from decoder: any Decoder) throws {
        let rows = try decoder.singleValueContainer().decode([[Int]].self)
        guard rows.allSatisfy({ $0.count == rows.count }), rows.joined().allSatisfy({ $0 >= 0 }) else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "a confusion matrix must be a square array of non-negative counts"))
        }
        classCount = rows.count
        counts = Array(rows.joined())
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rows)
    }
}

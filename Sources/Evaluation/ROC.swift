import Data

/// One operating point of a ROC curve: calling a sample positive when its score is ≥ `threshold`
/// gives these rates. The first point of every curve has threshold +∞ (nothing called positive).
public struct ROCPoint: Equatable, Sendable {
    public let threshold: Float
    public let falsePositiveRate: Double
    public let truePositiveRate: Double
}

/// Receiver operating characteristic of one class against the rest, as sklearn's
/// `roc_curve(drop_intermediate=False)`: one point per distinct score, so tied scores form a
/// single (possibly diagonal) step, from (0, 0) to (1, 1).
public struct ROCCurve: Equatable, Sendable {
    public let points: [ROCPoint]
    /// Area under the curve by the trapezoid rule. A tied step is a diagonal segment whose
    /// area counts each tied positive-negative pair 1/2, so this equals the Mann-Whitney
    /// statistic P(score⁺ > score⁻) + ½·P(score⁺ = score⁻).
    public let auc: Double

    /// The curve of `scores` for the samples flagged in `isPositive`, or nil when it is
    /// undefined: with no positive sample the true-positive rate is 0/0, with no negative
    /// sample the false-positive rate is. Scores must be finite.
    public init?(scores: [Float], isPositive: [Bool]) {
        precondition(scores.count == isPositive.count, "one positive flag per score")
        precondition(scores.allSatisfy(\.isFinite), "ROC scores must be finite")
        let positives = isPositive.count(where: { $0 })
        let negatives = isPositive.count - positives
        guard positives > 0, negatives > 0 else { return nil }

        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var points = [ROCPoint(threshold: .infinity, falsePositiveRate: 0, truePositiveRate: 0)]
        var truePositives = 0
        var falsePositives = 0
        var next = 0
        while next < order.count {
            let threshold = scores[order[next]]
            // Every sample scoring exactly `threshold` crosses at once: one point per distinct score.
            while next < order.count, scores[order[next]] == threshold {
                if isPositive[order[next]] { truePositives += 1 } else { falsePositives += 1 }
                next += 1
            }
            points.append(ROCPoint(
                threshold: threshold,
                falsePositiveRate: Double(falsePositives) / Double(negatives),
                truePositiveRate: Double(truePositives) / Double(positives)))
        }
        var area = 0.0
        for (left, right) in zip(points, points.dropFirst()) {
            area += (right.falsePositiveRate - left.falsePositiveRate)
                * (right.truePositiveRate + left.truePositiveRate) / 2
        }
        self.points = points
        self.auc = area
    }

    /// One curve per class, each scoring the samples by that class's probability with the
    /// class as positive and all others as negative; nil for a class whose curve is undefined
    /// (absent from the labels, or every label). `probabilities` is (N, C) row-major.
    public static func oneVsRest(
        probabilities: [Float], labels: [Int], classCount: Int
    ) throws(MetricsError) -> [ROCCurve?] {
        try MetricsError.check(probabilities: probabilities, labels: labels, classCount: classCount)
        return (0..<classCount).map { classIndex in
            let scores = labels.indices.map { probabilities[$0 * classCount + classIndex] }
            return ROCCurve(scores: scores, isPositive: labels.map { $0 == classIndex })
        }
    }

    /// roc.csv: a header `split,class,threshold,fpr,tpr`, then one row per point of every
    /// defined curve, in the order given. An undefined (nil) curve has no points and no rows.
    /// The first point's threshold is written `inf`, which pandas and numpy read as +∞.
    public static func csv(_ splits: [(split: String, classNames: [String], curves: [ROCCurve?])]) -> String {
        var text = CSV.line(["split", "class", "threshold", "fpr", "tpr"])
        for (split, classNames, curves) in splits {
            precondition(classNames.count == curves.count, "one class name per ROC curve")
            for (className, curve) in zip(classNames, curves) {
                for point in curve?.points ?? [] {
                    text += CSV.line([
                        split, className, "\(point.threshold)",
                        "\(point.falsePositiveRate)", "\(point.truePositiveRate)",
                    ])
                }
            }
        }
        return text
    }
}

/// How a class is read from a sample's probabilities: the most probable class (the paper's),
/// or, for two classes, class 1 when its probability reaches a threshold chosen on validation.
public enum DecisionRule: Equatable, Sendable {
    case argmax
    /// Class 1 when p(class 1) ≥ the threshold, else class 0.
    case threshold(Float)

    /// The class predicted from one sample's probabilities; on an argmax tie the lowest index,
    /// as numpy's argmax.
    public func predictedClass(_ probabilities: ArraySlice<Float>) -> Int {
        switch self {
        case .threshold(let threshold) where probabilities.count == 2:
            return probabilities[probabilities.startIndex + 1] >= threshold ? 1 : 0
        default:
            return probabilities.indices.reduce(probabilities.startIndex) { probabilities[$1] > probabilities[$0] ? $1 : $0 }
                - probabilities.startIndex
        }
    }

    /// The class of each row of `probabilities` ((N, classCount) row-major).
    public func predictedClasses(_ probabilities: [Float], classCount: Int) -> [Int] {
        (0..<probabilities.count / classCount).map {
            predictedClass(probabilities[$0 * classCount..<($0 + 1) * classCount])
        }
    }

    /// The threshold on p(class 1) that maximises Youden's J = sensitivity + specificity − 1
    /// (equally, the balanced accuracy, (1 + J)/2) over `probabilities` ((N, 2) row-major)
    /// against `labels`: halfway between the lowest score called positive and the next lower
    /// score, so it does not sit on a validation sample. Nil when the labels hold one class or
    /// more than two classes are scored.
    public static func youden(probabilities: [Float], labels: [Int]) -> DecisionRule? {
        guard probabilities.count == 2 * labels.count,
              let curve = ROCCurve(scores: labels.indices.map { probabilities[2 * $0 + 1] }, isPositive: labels.map { $0 == 1 })
        else { return nil }
        let points = curve.points
        // Point 0 calls nothing positive (J = 0); the first of equal maxima is the strictest.
        var best = 1
        for index in points.indices.dropFirst(2)
        where points[index].truePositiveRate - points[index].falsePositiveRate
            > points[best].truePositiveRate - points[best].falsePositiveRate {
            best = index
        }
        let lower = best + 1 < points.count ? points[best + 1].threshold : points[best].threshold
        return .threshold((points[best].threshold + lower) / 2)
    }
}

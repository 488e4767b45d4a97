/// Why evaluation metrics could not be computed from the predictions and labels given.
public enum MetricsError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Metrics need at least two classes: with one, "rest" is empty and nothing is classified.
    case tooFewClasses(Int)
    /// Two classes share a name, so per-class entries keyed by name would overwrite each other.
    case duplicateClassName(String)
    /// There are no samples, so even the accuracy is undefined.
    case noSamples
    /// The flat probability array does not hold one row of `classes` values per label.
    case shapeMismatch(values: Int, samples: Int, classes: Int)
    /// A label is not a class index.
    case labelOutOfRange(label: Int, sample: Int, classes: Int)
    /// A probability is NaN or infinite (a diverged model), so no class and no ranking exist.
    case nonFiniteProbability(sample: Int, classIndex: Int)

    public var description: String {
        switch self {
        case let .tooFewClasses(count):
            return "classification metrics need at least 2 classes, got \(count); "
                + "check the class names passed with the predictions."
        case let .duplicateClassName(name):
            return "class name \"\(name)\" appears more than once; class names must be unique "
                + "so that per-class metrics can be keyed by name."
        case .noSamples:
            return "there are no samples to evaluate: the split is empty. Check the --val/--test folder."
        case let .shapeMismatch(values, samples, classes):
            return "\(values) probability values do not form \(samples) rows of \(classes) classes "
                + "(expected \(samples * classes)); give one probability row per label."
        case let .labelOutOfRange(label, sample, classes):
            return "label \(label) of sample \(sample) is not a class index in 0..<\(classes); "
                + "check that the labels and the class names agree."
        case let .nonFiniteProbability(sample, classIndex):
            return "the probability of class \(classIndex) for sample \(sample) is not a finite number; "
                + "the model's outputs diverged, so it cannot be evaluated."
        }
    }
}

extension MetricsError {
    /// Throws unless `probabilities` is (labels.count, classCount) of finite values, every
    /// label is a class index, there is a sample and there are at least two classes.
    static func check(probabilities: [Float], labels: [Int], classCount: Int) throws(MetricsError) {
        guard classCount >= 2 else { throw .tooFewClasses(classCount) }
        guard !labels.isEmpty else { throw .noSamples }
        guard probabilities.count == labels.count * classCount else {
            throw .shapeMismatch(values: probabilities.count, samples: labels.count, classes: classCount)
        }
        for (sample, label) in labels.enumerated() {
            guard (0..<classCount).contains(label) else {
                throw .labelOutOfRange(label: label, sample: sample, classes: classCount)
            }
        }
        if let index = probabilities.firstIndex(where: { !$0.isFinite }) {
            throw .nonFiniteProbability(sample: index / classCount, classIndex: index % classCount)
        }
    }
}

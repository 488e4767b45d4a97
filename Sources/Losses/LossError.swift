/// Why a loss refused its input or its configuration.
public enum LossError: Error, CustomStringConvertible, Equatable {
    /// A metric loss saw fewer than two samples: with N_b = 1 there is no pair to compare.
    case tooFewSamples(loss: MetricLossKind, count: Int)
    /// The embedding width (l) is not positive.
    case invalidWidth(Int)
    /// A flat embedding array does not hold `samples` rows of `width` values.
    case shapeMismatch(values: Int, samples: Int, width: Int)
    /// A margin outside the range its loss defines.
    case marginOutOfRange(loss: MetricLossKind, margin: Float)
    /// λ of L = L_ce + λ·L_dml is negative or not finite.
    case invalidLambda(Float)
    /// The cross-entropy normaliser (the global batch size) is not a positive finite number.
    case invalidNormalizer(Float)
    /// The classifier has no classes.
    case invalidClassCount(Int)
    /// A label is not a class index of the classifier.
    case labelOutOfRange(label: Int32, sample: Int, classes: Int)
    /// Label smoothing ε outside [0, 1).
    case invalidLabelSmoothing(Float)

    public var description: String {
        switch self {
        case let .tooFewSamples(loss, count):
            return "the \(loss.title) needs at least 2 samples in a batch, got \(count): with N_b = 1 "
                + "there is no pair of embeddings to compare. Use a batch (--batch) of 2 or more."
        case let .invalidWidth(width):
            return "embedding width must be at least 1, got \(width)."
        case let .shapeMismatch(values, samples, width):
            return "\(values) embedding values do not form \(samples) rows of width \(width) "
                + "(expected \(samples * width)); give one embedding row per label."
        case let .marginOutOfRange(loss, margin):
            return "margin \(margin) is outside the range of the \(loss.title): "
                + "\(loss.marginRangeDescription). Pass --margin within it."
        case let .invalidLambda(lambda):
            return "λ (the weight of the metric loss in L = L_ce + λ·L_dml) must be a finite "
                + "number ≥ 0, got \(lambda)."
        case let .invalidNormalizer(normalizer):
            return "the cross-entropy normaliser (global batch size) must be a positive finite "
                + "number, got \(normalizer)."
        case let .invalidClassCount(classes):
            return "the classifier must have at least 1 class, got \(classes)."
        case let .labelOutOfRange(label, sample, classes):
            return "label \(label) of sample \(sample) is not a class index in 0..<\(classes); "
                + "check that the labels and the model's class count agree."
        case let .invalidLabelSmoothing(epsilon):
            return "label smoothing must be in [0, 1) (0 is off, 0.1 a common choice), got \(epsilon); "
                + "pass --label-smoothing within it."
        }
    }
}

/// `--decision-threshold`: how the saved model reads a class from its probabilities.
public enum DecisionThreshold: String, CaseIterable, Sendable {
    /// The most probable class, the paper's.
    case argmax
    /// For two classes, the threshold on p(class 1) that maximises Youden's J (equally, the
    /// balanced accuracy) on the validation split with the best weights, stored in
    /// weights/best.safetensors and used by the final report, `predict` and `eval`; for more
    /// classes, the most probable class.
    case youden
}

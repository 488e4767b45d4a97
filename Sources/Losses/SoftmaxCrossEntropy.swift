import Foundation

/// Softmax cross-entropy on logits, eqs. 5-6 of Huang et al. 2021, optionally against
/// label-smoothed targets.
///
/// L = Σ_i CE_i / normalizer with CE_i = −Σ_c q_ic log p_ic, p_i = softmax(o_i). The target q
/// is the one-hot label, or with label smoothing ε the mixture q_ic = (1 − ε)·[c = y_i] + ε/K
/// over the K classes (PyTorch's `CrossEntropyLoss(label_smoothing=ε)`); with ε = 0, CE_i =
/// log Σ_c exp(o_ic) − o_i,y_i. The normaliser is the GLOBAL batch size: in distributed
/// training each rank holds part of the batch, and the ranks' gradients are summed, so each
/// must divide by the whole batch, not its share.
public enum SoftmaxCrossEntropy {
    /// The loss of `count` rows of `logits`, and optionally its gradient and the softmax.
    ///
    /// - Parameters:
    ///   - logits: (count, classes) o.
    ///   - labels: (count) class indices in 0..<classes.
    ///   - normalizer: what Σ_i CE_i is divided by, usually the global batch size.
    ///   - labelSmoothing: ε in [0, 1); 0 is the plain one-hot target.
    ///   - logitOffsets: (classes), when given: added to every row of logits before the
    ///     softmax (logit adjustment, Menon et al. 2021: τ·log π_c); dL/do is unchanged in form.
    ///   - gradient: (count, classes), when given: overwritten with dL/do = (p − q)/normalizer.
    ///   - probabilities: (count, classes), when given: overwritten with the softmax p.
    /// - Throws: `LossError.invalidClassCount`, `.invalidNormalizer`, `.labelOutOfRange`,
    ///   `.invalidLabelSmoothing`.
    public static func evaluate(
        logits: UnsafePointer<Float>, labels: UnsafePointer<Int32>,
        count: Int, classes: Int, normalizer: Float, labelSmoothing: Float = 0,
        logitOffsets: UnsafePointer<Float>? = nil,
        gradient: UnsafeMutablePointer<Float>? = nil,
        probabilities: UnsafeMutablePointer<Float>? = nil
    ) throws -> Float {
        guard classes >= 1 else { throw LossError.invalidClassCount(classes) }
        guard normalizer.isFinite, normalizer > 0 else { throw LossError.invalidNormalizer(normalizer) }
        guard labelSmoothing >= 0, labelSmoothing < 1 else { throw LossError.invalidLabelSmoothing(labelSmoothing) }
        for sample in 0..<count where !(0..<Int32(clamping: classes)).contains(labels[sample]) {
            throw LossError.labelOutOfRange(label: labels[sample], sample: sample, classes: classes)
        }

        var total: Double = 0
        for sample in 0..<count {
            let logitRow = logits + sample * classes
            @inline(__always) func row(_ c: Int) -> Float { logitRow[c] + (logitOffsets?[c] ?? 0) }
            let label = Int(labels[sample])
            // Stable log-sum-exp: shift by the row maximum so exp never overflows.
            var largest = -Float.infinity
            for c in 0..<classes { largest = max(largest, row(c)) }
            var sum: Float = 0
            for c in 0..<classes { sum += exp(row(c) - largest) }
            let logSum = log(sum)
            // −Σ_c q_c log p_c = log Σ exp(o) − Σ_c q_c o_c, since Σ_c q_c = 1.
            var targetLogit = row(label)
            if labelSmoothing > 0 {
                var logitSum: Float = 0
                for c in 0..<classes { logitSum += row(c) }
                targetLogit = (1 - labelSmoothing) * row(label) + labelSmoothing / Float(classes) * logitSum
            }
            total += Double(logSum + (largest - targetLogit))

            if let probabilities {
                let target = probabilities + sample * classes
                for c in 0..<classes { target[c] = exp(row(c) - largest - logSum) }
            }
            if let gradient {
                let target = gradient + sample * classes
                let scale = 1 / normalizer
                let uniformShare = labelSmoothing / Float(classes) * scale
                for c in 0..<classes { target[c] = exp(row(c) - largest - logSum) * scale - uniformShare }
                target[label] -= (1 - labelSmoothing) * scale
            }
        }
        return Float(total / Double(normalizer))
    }
}

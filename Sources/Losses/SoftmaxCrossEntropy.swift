import Foundation

/// Softmax cross-entropy on logits, eqs. 5-6 of Huang et al. 2021.
///
/// L = Σ_i CE_i / normalizer with CE_i = log Σ_c exp(o_ic) − o_i,y_i. The normaliser is the
/// GLOBAL batch size: in distributed training each rank holds part of the batch, and the
/// ranks' gradients are summed, so each must divide by the whole batch, not its share.
public enum SoftmaxCrossEntropy {
    /// The loss of `count` rows of `logits`, and optionally its gradient and the softmax.
    ///
    /// - Parameters:
    ///   - logits: (count, classes) o.
    ///   - labels: (count) class indices in 0..<classes.
    ///   - normalizer: what Σ_i CE_i is divided by, usually the global batch size.
    ///   - gradient: (count, classes), when given: overwritten with dL/do = (p − onehot)/normalizer.
    ///   - probabilities: (count, classes), when given: overwritten with the softmax p.
    /// - Throws: `LossError.invalidClassCount`, `.invalidNormalizer`, `.labelOutOfRange`.
    public static func evaluate(
        logits: UnsafePointer<Float>, labels: UnsafePointer<Int32>,
        count: Int, classes: Int, normalizer: Float,
        gradient: UnsafeMutablePointer<Float>? = nil,
        probabilities: UnsafeMutablePointer<Float>? = nil
    ) throws -> Float {
        guard classes >= 1 else { throw LossError.invalidClassCount(classes) }
        guard normalizer.isFinite, normalizer > 0 else { throw LossError.invalidNormalizer(normalizer) }
        for sample in 0..<count where !(0..<Int32(clamping: classes)).contains(labels[sample]) {
            throw LossError.labelOutOfRange(label: labels[sample], sample: sample, classes: classes)
        }

        var total: Double = 0
        for sample in 0..<count {
            let row = logits + sample * classes
            let label = Int(labels[sample])
            // Stable log-sum-exp: shift by the row maximum so exp never overflows.
            var largest = -Float.infinity
            for c in 0..<classes { largest = max(largest, row[c]) }
            var sum: Float = 0
            for c in 0..<classes { sum += exp(row[c] - largest) }
            let logSum = log(sum)
            total += Double(logSum + (largest - row[label]))

            if let probabilities {
                let target = probabilities + sample * classes
                for c in 0..<classes { target[c] = exp(row[c] - largest - logSum) }
            }
            if let gradient {
                let target = gradient + sample * classes
                let scale = 1 / normalizer
                for c in 0..<classes { target[c] = exp(row[c] - largest - logSum) * scale }
                target[label] -= scale
            }
        }
        return Float(total / Double(normalizer))
    }
}

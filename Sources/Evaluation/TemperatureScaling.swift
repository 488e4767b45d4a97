import Foundation

/// Temperature scaling (Guo, Pleiss, Sun and Weinberger 2017, section 4.2): the softmax of the
/// logits divided by one temperature T > 0, fitted on the validation split by minimising the
/// negative log-likelihood. Dividing by T keeps every sample's most probable class, so
/// accuracy, and any ranking-based figure such as an AUC of two classes, is unchanged; only
/// how sure the probabilities are moves towards how often they are right.
///
/// It is applied to probabilities, not logits: log p = z − logsumexp(z) differs from the logits z
/// by a constant per sample, which the softmax ignores, so softmax(log p / T) = softmax(z / T).
public struct TemperatureScaling: Equatable, Sendable {
    public let temperature: Double

    /// Temperatures the fit searches, wide enough for any network that learned something.
    static let searchedTemperatures = 0.01...100.0

    public init(temperature: Double) {
        precondition(temperature.isFinite && temperature > 0, "a temperature must be a positive number")
        self.temperature = temperature
    }

    /// The temperature minimising the mean negative log-likelihood of `labels` under the scaled
    /// `probabilities` ((N, classCount) row-major). The likelihood is convex in 1/T (a
    /// log-sum-exp of a linear function minus a linear function), so a golden-section search over
    /// log T finds its one minimum.
    public static func fitted(probabilities: [Float], labels: [Int], classCount: Int) -> TemperatureScaling {
        let logProbabilities = logarithms(probabilities)
        func loss(_ logTemperature: Double) -> Double {
            meanNegativeLogLikelihood(logProbabilities: logProbabilities, labels: labels, classCount: classCount, temperature: exp(logTemperature))
        }
        let ratio = (5.0.squareRoot() - 1) / 2
        var (low, high) = (log(searchedTemperatures.lowerBound), log(searchedTemperatures.upperBound))
        var left = high - ratio * (high - low)
        var right = low + ratio * (high - low)
        var (leftLoss, rightLoss) = (loss(left), loss(right))
        // 60 steps shrink the bracket by 0.618⁶⁰ ≈ 3e-13 of its width: T to far below any effect.
        for _ in 0..<60 {
            if leftLoss <= rightLoss {
                (high, right, rightLoss) = (right, left, leftLoss)
                left = high - ratio * (high - low)
                leftLoss = loss(left)
            } else {
                (low, left, leftLoss) = (left, right, rightLoss)
                right = low + ratio * (high - low)
                rightLoss = loss(right)
            }
        }
        return TemperatureScaling(temperature: exp((low + high) / 2))
    }

    /// softmax(log p / T) of each row of `probabilities` ((N, classCount) row-major).
    public func apply(to probabilities: [Float], classCount: Int) -> [Float] {
        let logProbabilities = Self.logarithms(probabilities)
        var scaled = [Float](repeating: 0, count: probabilities.count)
        for row in 0..<probabilities.count / classCount {
            let range = row * classCount..<(row + 1) * classCount
            let logits = range.map { logProbabilities[$0] / temperature }
            let largest = logits.max()!
            let exponentials = logits.map { exp($0 - largest) }
            let sum = exponentials.reduce(0, +)
            for (offset, index) in range.enumerated() { scaled[index] = Float(exponentials[offset] / sum) }
        }
        return scaled
    }

    /// `evaluation` with its probabilities scaled and its cross-entropy recomputed from them
    /// (the metric loss, on the embeddings, is unchanged).
    public func apply(to evaluation: Evaluation, classCount: Int) -> Evaluation {
        var scaled = evaluation
        scaled.probabilities = apply(to: evaluation.probabilities, classCount: classCount)
        scaled.crossEntropy = negativeLogLikelihood(probabilities: evaluation.probabilities, labels: evaluation.labels, classCount: classCount)
        scaled.total = evaluation.total - evaluation.crossEntropy + scaled.crossEntropy
        return scaled
    }

    /// Mean −log p(true class) of `probabilities` scaled by this temperature.
    public func negativeLogLikelihood(probabilities: [Float], labels: [Int], classCount: Int) -> Double {
        Self.meanNegativeLogLikelihood(
            logProbabilities: Self.logarithms(probabilities), labels: labels, classCount: classCount, temperature: temperature)
    }

    private static func meanNegativeLogLikelihood(logProbabilities: [Double], labels: [Int], classCount: Int, temperature: Double) -> Double {
        var sum = 0.0
        for (row, label) in labels.enumerated() {
            let logits = (0..<classCount).map { logProbabilities[row * classCount + $0] / temperature }
            let largest = logits.max()!
            sum += largest + log(logits.reduce(0) { $0 + exp($1 - largest) }) - logits[label]
        }
        return sum / Double(labels.count)
    }

    /// log p, a probability that underflowed to 0 taken as the smallest normal float, so a
    /// confident wrong answer costs a large, finite log-likelihood.
    private static func logarithms(_ probabilities: [Float]) -> [Double] {
        probabilities.map { log(Double(max($0, Float.leastNormalMagnitude))) }
    }
}

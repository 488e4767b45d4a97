import Foundation
import Losses
import Testing

@Suite("SoftmaxCrossEntropy")
struct SoftmaxCrossEntropyTests {
    static let fixtures: [CrossEntropyCase] = loadFixtureCases("cross_entropy.json")

    /// Loss, gradient and probabilities of `logits` ((labels.count, classes)).
    func evaluate(
        _ logits: [Float], labels: [Int32], classes: Int, normalizer: Float, labelSmoothing: Float = 0,
        logitOffsets: [Float]? = nil
    ) throws -> (loss: Float, gradient: [Float], probabilities: [Float]) {
        var gradient = [Float](repeating: .nan, count: logits.count)
        var probabilities = [Float](repeating: .nan, count: logits.count)
        let loss = try gradient.withUnsafeMutableBufferPointer { gradient in
            try probabilities.withUnsafeMutableBufferPointer { probabilities in
                try SoftmaxCrossEntropy.evaluate(
                    logits: logits, labels: labels, count: labels.count, classes: classes,
                    normalizer: normalizer, labelSmoothing: labelSmoothing, logitOffsets: logitOffsets,
                    gradient: gradient.baseAddress,
                    probabilities: probabilities.baseAddress)
            }
        }
        return (loss, gradient, probabilities)
    }

    @Test("loss, gradient and probabilities match the numpy reference", arguments: fixtures)
    func matchesNumpyReference(_ fixture: CrossEntropyCase) throws {
        let result = try evaluate(
            fixture.logits.flatMap { $0 }, labels: fixture.labels,
            classes: fixture.logits[0].count, normalizer: fixture.normalizer, labelSmoothing: fixture.labelSmoothing)
        expectClose(result.loss, fixture.loss, relative: 1e-5, floor: 1e-6, fixture.name)
        expectGradientClose(result.gradient, fixture.gradient, relative: 1e-4, fixture.name)
        expectGradientClose(result.probabilities, fixture.probabilities, relative: 1e-5, fixture.name + " probabilities")
    }

    @Test("the normaliser divides loss and gradient: a rank's share of the global batch")
    func normalizerScalesLossAndGradient() throws {
        let logits: [Float] = [0.5, -1, 2, 0.1, 0.3, -0.7]
        let whole = try evaluate(logits, labels: [2, 0], classes: 3, normalizer: 2)
        let share = try evaluate(logits, labels: [2, 0], classes: 3, normalizer: 8)
        #expect(abs(share.loss * 4 - whole.loss) <= 1e-6 * whole.loss)
        for (a, b) in zip(share.gradient, whole.gradient) { #expect(abs(a * 4 - b) <= 1e-6) }
    }

    @Test("logits of 10⁴ give a finite loss: the log-sum-exp is shifted")
    func largeLogitsStayFinite() throws {
        let result = try evaluate([10_000, 9_990, -10_000], labels: [1], classes: 3, normalizer: 1)
        #expect(abs(result.loss - 10) < 1e-3)
        #expect(result.gradient.allSatisfy { $0.isFinite })
    }

    @Test("a label outside the classes is refused, naming the sample")
    func labelOutOfRangeIsRefused() {
        #expect(throws: LossError.labelOutOfRange(label: 3, sample: 1, classes: 3)) {
            try evaluate([0, 0, 0, 0, 0, 0], labels: [0, 3], classes: 3, normalizer: 2)
        }
    }

    @Test("a non-positive normaliser is refused")
    func nonPositiveNormalizerIsRefused() {
        #expect(throws: LossError.invalidNormalizer(0)) {
            try evaluate([0, 0], labels: [0], classes: 2, normalizer: 0)
        }
    }

    @Test("label smoothing of equal logits: loss log K, gradient p − q in closed form")
    func labelSmoothingOfEqualLogitsHasTheClosedForm() throws {
        // p = 1/K for every class, so CE = −Σ q_c log(1/K) = log K whatever ε, and
        // dL/do_c = 1/K − q_c: 1/K − (1 − ε) − ε/K for the label, 1/K − ε/K for the others.
        let epsilon: Float = 0.3
        let result = try evaluate([0.7, 0.7, 0.7, 0.7], labels: [2], classes: 4, normalizer: 1, labelSmoothing: epsilon)
        #expect(abs(result.loss - log(4)) <= 1e-6)
        let expected: [Float] = [0.25 - 0.075, 0.25 - 0.075, 0.25 - 0.7 - 0.075, 0.25 - 0.075]
        for (actual, value) in zip(result.gradient, expected) { #expect(abs(actual - value) <= 1e-6) }
    }

    @Test("label smoothing bounds the loss of a confident right answer away from 0")
    func labelSmoothingPenalisesConfidence() throws {
        // Two classes, logits (20, 0), label 0: CE → (ε/2)·20 + log(1 + e^−20) as p₀ → 1.
        let plain = try evaluate([20, 0], labels: [0], classes: 2, normalizer: 1)
        let smoothed = try evaluate([20, 0], labels: [0], classes: 2, normalizer: 1, labelSmoothing: 0.1)
        #expect(plain.loss < 1e-6)
        #expect(abs(smoothed.loss - (0.05 * 20 + log1p(exp(-20)))) <= 1e-5)
        // The gradient pushes the winning logit down: p₀ − (1 − ε/2) > 0.
        #expect(smoothed.gradient[0] > 0.049 && smoothed.gradient[0] < 0.051)
    }

    @Test("the smoothed gradient matches central differences of the smoothed loss")
    func labelSmoothingGradientMatchesFiniteDifferences() throws {
        let logits: [Float] = [0.5, -1, 2, 0.1, 0.3, -0.7, 1.5, 0.2, -0.4]
        let labels: [Int32] = [2, 0, 1]
        let analytic = try evaluate(logits, labels: labels, classes: 3, normalizer: 3, labelSmoothing: 0.15).gradient
        let step: Float = 1e-2
        var shifted = logits
        for index in logits.indices {
            shifted[index] = logits[index] + step
            let plus = try evaluate(shifted, labels: labels, classes: 3, normalizer: 3, labelSmoothing: 0.15).loss
            shifted[index] = logits[index] - step
            let minus = try evaluate(shifted, labels: labels, classes: 3, normalizer: 3, labelSmoothing: 0.15).loss
            shifted[index] = logits[index]
            #expect(abs((plus - minus) / (2 * step) - analytic[index]) <= 1e-3, "d/do[\(index)]")
        }
    }

    @Test("label smoothing outside [0, 1) is refused")
    func labelSmoothingOutOfRangeIsRefused() {
        for epsilon: Float in [-0.1, 1, .nan] {
            #expect(throws: LossError.self) {
                try evaluate([0, 0], labels: [0], classes: 2, normalizer: 1, labelSmoothing: epsilon)
            }
        }
        #expect(throws: LossError.invalidLabelSmoothing(1)) { try LossConfiguration(kind: .crossEntropy, labelSmoothing: 1) }
    }

    @Test("logit adjustment is the plain loss of the shifted logits, gradient included")
    func logitAdjustmentShiftsEveryRow() throws {
        // Menon et al. 2021: CE of o + τ·log π; with π = (0.8, 0.2) and τ = 1 the rare class's
        // logit is lowered by log 4 relative to the common one, so its loss grows.
        let logits: [Float] = [0.5, -1, 2, 0.1, 0.3, 0.3]
        let offsets: [Float] = [log(0.8), log(0.2)]
        let labels: [Int32] = [1, 0, 1]
        let shifted = logits.enumerated().map { $0.element + offsets[$0.offset % 2] }
        let adjusted = try evaluate(logits, labels: labels, classes: 2, normalizer: 3, logitOffsets: offsets)
        let reference = try evaluate(shifted, labels: labels, classes: 2, normalizer: 3)
        #expect(abs(adjusted.loss - reference.loss) <= 1e-6)
        for (actual, expected) in zip(adjusted.gradient, reference.gradient) { #expect(abs(actual - expected) <= 1e-6) }
        #expect(adjusted.loss > (try evaluate(logits, labels: labels, classes: 2, normalizer: 3)).loss)
    }
}

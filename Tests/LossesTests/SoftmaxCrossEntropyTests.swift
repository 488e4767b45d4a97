import Losses
import Testing

@Suite("SoftmaxCrossEntropy")
struct SoftmaxCrossEntropyTests {
    static let fixtures: [CrossEntropyCase] = loadFixtureCases("cross_entropy.json")

    /// Loss, gradient and probabilities of `logits` ((labels.count, classes)).
    func evaluate(
        _ logits: [Float], labels: [Int32], classes: Int, normalizer: Float
    ) throws -> (loss: Float, gradient: [Float], probabilities: [Float]) {
        var gradient = [Float](repeating: .nan, count: logits.count)
        var probabilities = [Float](repeating: .nan, count: logits.count)
        let loss = try gradient.withUnsafeMutableBufferPointer { gradient in
            try probabilities.withUnsafeMutableBufferPointer { probabilities in
                try SoftmaxCrossEntropy.evaluate(
                    logits: logits, labels: labels, count: labels.count, classes: classes,
                    normalizer: normalizer, gradient: gradient.baseAddress,
                    probabilities: probabilities.baseAddress)
            }
        }
        return (loss, gradient, probabilities)
    }

    @Test("loss, gradient and probabilities match the numpy reference", arguments: fixtures)
    func matchesNumpyReference(_ fixture: CrossEntropyCase) throws {
        let result = try evaluate(
            fixture.logits.flatMap { $0 }, labels: fixture.labels,
            classes: fixture.logits[0].count, normalizer: fixture.normalizer)
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
}

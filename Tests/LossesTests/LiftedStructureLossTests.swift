import Losses
import Testing

@Suite("LiftedStructureLoss")
struct LiftedStructureLossTests {
    static let fixtures: [MetricLossCase] = loadFixtureCases("lifted.json")

    @Test("loss and gradient match the numpy reference", arguments: fixtures)
    func matchesNumpyReference(_ fixture: MetricLossCase) throws {
        let loss = try LiftedStructureLoss(margin: fixture.margin)
        let (value, gradient) = try loss.evaluate(
            embeddings: fixture.flatEmbeddings, labels: fixture.labels, width: fixture.width)
        expectClose(value, fixture.loss, relative: 1e-5, floor: 1e-6, fixture.name)
        expectGradientClose(gradient, fixture.gradient, relative: 1e-4, fixture.name)
    }

    @Test("gradient matches central finite differences")
    func gradientMatchesFiniteDifferences() throws {
        let batch = randomBatch(count: 8, width: 4, classes: 3, seed: 31)
        try expectGradientMatchesFiniteDifferences(
            LiftedStructureLoss(), embeddings: batch.embeddings, labels: batch.labels, width: 4)
    }

    @Test("the loss does not change when embeddings are scaled: distances are on the unit sphere")
    func lossIsScaleInvariant() throws {
        let batch = randomBatch(count: 6, width: 4, classes: 2, seed: 8)
        let loss = try LiftedStructureLoss()
        let value = try loss.evaluate(embeddings: batch.embeddings, labels: batch.labels, width: 4).loss
        let scaled = try loss.evaluate(embeddings: batch.embeddings.map { $0 * 50 }, labels: batch.labels, width: 4).loss
        #expect(abs(value - scaled) <= 1e-5 * value)
    }

    @Test("a batch of one sample is refused")
    func singleSampleIsRefused() throws {
        #expect(throws: LossError.tooFewSamples(loss: .lifted, count: 1)) {
            try LiftedStructureLoss().evaluate(embeddings: [1, 2], labels: [0], width: 2)
        }
    }
}

import Losses
import Testing

@Suite("SimilarityTripletLoss")
struct SimilarityTripletLossTests {
    static let fixtures: [MetricLossCase] = loadFixtureCases("triplet.json")

    @Test("loss and gradient match the numpy reference", arguments: fixtures)
    func matchesNumpyReference(_ fixture: MetricLossCase) throws {
        let loss = try SimilarityTripletLoss(margin: fixture.margin)
        let (value, gradient) = try loss.evaluate(
            embeddings: fixture.flatEmbeddings, labels: fixture.labels, width: fixture.width)
        expectClose(value, fixture.loss, relative: 1e-5, floor: 1e-6, fixture.name)
        expectGradientClose(gradient, fixture.gradient, relative: 1e-4, fixture.name)
    }

    @Test("gradient matches central finite differences", arguments: [Float(1), 0.3])
    func gradientMatchesFiniteDifferences(_ margin: Float) throws {
        let batch = randomBatch(count: 8, width: 4, classes: 3, seed: 21)
        try expectGradientMatchesFiniteDifferences(
            SimilarityTripletLoss(margin: margin), embeddings: batch.embeddings, labels: batch.labels, width: 4)
    }

    @Test("a batch without a valid triplet has loss 0 and gradient 0")
    func batchWithoutTripletsIsZero() throws {
        let batch = randomBatch(count: 5, width: 3, classes: 1, seed: 3)
        let (value, gradient) = try SimilarityTripletLoss()
            .evaluate(embeddings: batch.embeddings, labels: batch.labels, width: 3)
        #expect(value == 0)
        #expect(gradient.allSatisfy { $0 == 0 })
    }

    @Test("a batch of one sample is refused")
    func singleSampleIsRefused() throws {
        #expect(throws: LossError.tooFewSamples(loss: .triplet, count: 1)) {
            try SimilarityTripletLoss().evaluate(embeddings: [1, 2], labels: [0], width: 2)
        }
    }
}

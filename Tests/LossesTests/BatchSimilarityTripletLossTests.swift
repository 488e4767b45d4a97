import Losses
import Testing

@Suite("BatchSimilarityTripletLoss")
struct BatchSimilarityTripletLossTests {
    static let fixtures: [MetricLossCase] = loadFixtureCases("bst.json")

    @Test("loss and gradient match the numpy reference", arguments: fixtures)
    func matchesNumpyReference(_ fixture: MetricLossCase) throws {
        let square = try #require(BatchSimilarityTripletLoss.Square(rawValue: fixture.square ?? ""))
        let loss = try BatchSimilarityTripletLoss(margin: fixture.margin, square: square)
        let (value, gradient) = try loss.evaluate(
            embeddings: fixture.flatEmbeddings, labels: fixture.labels, width: fixture.width)
        expectClose(value, fixture.loss, relative: 1e-5, floor: 1e-6, fixture.name)
        expectGradientClose(gradient, fixture.gradient, relative: 1e-4, fixture.name)
    }

    @Test("gradient matches central finite differences", arguments: BatchSimilarityTripletLoss.Square.allCases)
    func gradientMatchesFiniteDifferences(_ square: BatchSimilarityTripletLoss.Square) throws {
        let loss = try BatchSimilarityTripletLoss(margin: 0.9, square: square)
        // Labels 0, 1, 2, 0, 1, 2, 3: class 3 has a single sample, a row without positives.
        let batch = randomBatch(count: 7, width: 5, classes: 3, seed: 11)
        let labels = batch.labels.enumerated().map { $0.offset == 6 ? Int32(3) : Int32($0.offset % 3) }
        try expectGradientMatchesFiniteDifferences(loss, embeddings: batch.embeddings, labels: labels, width: 5)
    }

    @Test("0 ≤ L ≤ 1 + m for non-negative embeddings, L ≤ 2 + m for any, with the signed square")
    func lossIsBounded() throws {
        for seed in UInt64(0)..<200 {
            let count = 2 + Int(seed % 11)
            let margin = Float(seed % 5) / 4
            let loss = try BatchSimilarityTripletLoss(margin: margin)
            for nonnegative in [true, false] {
                let batch = randomBatch(
                    count: count, width: 1 + Int(seed % 7), classes: 1 + Int(seed % 4),
                    nonnegative: nonnegative, seed: seed)
                let value = try loss.evaluate(embeddings: batch.embeddings, labels: batch.labels, width: 1 + Int(seed % 7)).loss
                let bound = (nonnegative ? 1 : 2) + margin
                #expect(value >= 0 && value <= bound + 1e-6, "seed \(seed): L = \(value), bound \(bound)")
            }
        }
    }

    @Test("identical embeddings of two classes reach the bound 1 + m")
    func boundIsReachedByIdenticalNegatives() throws {
        // Each row: no positives, one negative with S = 1, so D = −1 and g(D) = −1.
        let value = try BatchSimilarityTripletLoss(margin: 0.9)
            .evaluate(embeddings: [3, 4, 3, 4], labels: [0, 1], width: 2).loss
        #expect(abs(value - 1.9) < 1e-6)
    }

    @Test("a batch of one sample is refused")
    func singleSampleIsRefused() throws {
        let loss = try BatchSimilarityTripletLoss()
        #expect(throws: LossError.tooFewSamples(loss: .bst, count: 1)) {
            try loss.evaluate(embeddings: [1, 2, 3], labels: [0], width: 3)
        }
    }

    @Test("margins outside [0, 1] are refused", arguments: [Float(-0.1), 1.5, .nan])
    func marginOutsideUnitIntervalIsRefused(_ margin: Float) {
        #expect(throws: LossError.self) { try BatchSimilarityTripletLoss(margin: margin) }
    }

    @Test("the gradient is written, not accumulated, and a reused workspace gives the same result")
    func workspaceReuseIsInvisible() throws {
        let large = randomBatch(count: 12, width: 6, classes: 3, seed: 5)
        let small = randomBatch(count: 4, width: 9, classes: 2, seed: 6)
        let reused = try BatchSimilarityTripletLoss()
        _ = try reused.evaluate(embeddings: large.embeddings, labels: large.labels, width: 6)
        let fresh = try BatchSimilarityTripletLoss().evaluate(embeddings: small.embeddings, labels: small.labels, width: 9)

        var gradient = [Float](repeating: 7, count: small.embeddings.count)
        let value = try gradient.withUnsafeMutableBufferPointer { gradient in
            try reused.evaluate(
                embeddings: small.embeddings, labels: small.labels, count: 4, width: 9,
                gradient: gradient.baseAddress)
        }
        #expect(value == fresh.loss)
        #expect(gradient == fresh.gradient)
    }
}

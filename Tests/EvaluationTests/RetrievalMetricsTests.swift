import Foundation
import Testing
@testable import Evaluation

/// Embeddings and labels with pytorch-metric-learning's AccuracyCalculator figures and numpy's
/// Recall@K (Scripts/make-retrieval-fixtures). Empty gallery: leave-one-out within the queries.
struct RetrievalCase: Decodable, CustomTestStringConvertible {
    struct ClassFigures: Decodable {
        let precisionAt1: Double
        let rPrecision: Double
        let meanAveragePrecisionAtR: Double
    }

    let name: String
    let width: Int
    let classCount: Int
    let leaveOneOut: Bool
    let queries: [Float]
    let queryLabels: [Int]
    let gallery: [Float]
    let galleryLabels: [Int]
    let precisionAt1: Double
    let rPrecision: Double
    let meanAveragePrecisionAtR: Double
    let recallAtK: [Double]
    let perClass: [ClassFigures?]
    var testDescription: String { name }

    var metrics: RetrievalMetrics {
        let galleryLabels = leaveOneOut ? queryLabels : galleryLabels
        let k = RetrievalMetrics.neighboursNeeded(galleryLabels: galleryLabels, classCount: classCount)
        let neighbours = leaveOneOut
            ? NearestNeighbours.leaveOneOut(embeddings: queries, width: width, k: k)
            : NearestNeighbours.search(queries: queries, gallery: gallery, width: width, k: k)
        return RetrievalMetrics(
            neighbours: neighbours, queryLabels: queryLabels, galleryLabels: galleryLabels,
            classNames: (0..<classCount).map { "class\($0)" }, leaveOneOut: leaveOneOut)
    }
}

@Suite struct RetrievalMetricsTests {
    @Test(arguments: loadEvidenceCases("retrieval.json", as: RetrievalCase.self))
    func matchesPyTorchMetricLearning(_ fixture: RetrievalCase) {
        let metrics = fixture.metrics
        #expect(isClose(metrics.overall.precisionAt1, fixture.precisionAt1, tolerance: 1e-6))
        #expect(isClose(metrics.overall.rPrecision, fixture.rPrecision, tolerance: 1e-6))
        #expect(isClose(metrics.overall.meanAveragePrecisionAtR, fixture.meanAveragePrecisionAtR, tolerance: 1e-6))
        #expect(metrics.perClass.count == fixture.perClass.count)
        for (figures, expected) in zip(metrics.perClass, fixture.perClass) {
            #expect((figures == nil) == (expected == nil))
            guard let figures, let expected else { continue }
            #expect(isClose(figures.precisionAt1, expected.precisionAt1, tolerance: 1e-6))
            #expect(isClose(figures.rPrecision, expected.rPrecision, tolerance: 1e-6))
            #expect(isClose(figures.meanAveragePrecisionAtR, expected.meanAveragePrecisionAtR, tolerance: 1e-6))
        }
    }

    @Test(arguments: loadEvidenceCases("retrieval.json", as: RetrievalCase.self))
    func recallAtKMatchesTheNumPyRanking(_ fixture: RetrievalCase) {
        let recall = fixture.metrics.overall.recallAtK
        #expect(recall.count == fixture.recallAtK.count)
        for (actual, expected) in zip(recall, fixture.recallAtK) { #expect(isClose(actual, expected, tolerance: 1e-6)) }
    }

    /// Three points of class 0 on an arc and one of class 1 among them: worked by hand.
    @Test func handWorkedLeaveOneOutFigures() {
        // Angles 0°, 10°, 22° (class 0) and 15° (class 1) on the unit circle, as (cos, sin).
        let radians = [0.0, 10, 22, 15].map { $0 * Double.pi / 180 }
        let embeddings = radians.flatMap { [Float(cos($0)), Float(sin($0))] }
        let neighbours = NearestNeighbours.leaveOneOut(embeddings: embeddings, width: 2, k: 3)
        #expect(neighbours.indices == [1, 3, 2, 3, 0, 2, 3, 1, 0, 1, 2, 0])
        let metrics = RetrievalMetrics(
            neighbours: neighbours, queryLabels: [0, 0, 0, 1], galleryLabels: [0, 0, 0, 1],
            classNames: ["a", "b"], leaveOneOut: true)
        // R = 2 for each class-0 query; the class-1 query is lone and not counted.
        // Query 0: [1 ✓, 3 ✗] → R-precision 1/2, AP@R (1/1)/2. Query 1: [3 ✗, 0 ✓] → 1/2, (1/2)/2.
        // Query 2: [3 ✗, 1 ✓] → 1/2, (1/2)/2.
        #expect(metrics.overall.queries == 3)
        #expect(isClose(metrics.overall.precisionAt1, 1.0 / 3))
        #expect(isClose(metrics.overall.rPrecision, 0.5))
        #expect(isClose(metrics.overall.meanAveragePrecisionAtR, (0.5 + 0.25 + 0.25) / 3))
        #expect(metrics.overall.recallAtK == [1.0 / 3, 1, 1])
        #expect(metrics.perClass[1] == nil)
    }
}

import Testing
@testable import Evaluation

@Suite struct StratifiedBootstrapTests {
    /// A hand-made binary split: 100 positives of which 80 are found, 60 negatives of which 45
    /// are rejected.
    static let labels = [Int](repeating: 1, count: 100) + [Int](repeating: 0, count: 60)
    static let predicted = [Int](repeating: 1, count: 80) + [Int](repeating: 0, count: 20)
        + [Int](repeating: 0, count: 45) + [Int](repeating: 1, count: 15)
    static let probabilities: [Float] = predicted.flatMap { $0 == 1 ? [Float(0.2), 0.8] : [0.8, 0.2] }

    static func intervals(seed: UInt64) throws -> MetricIntervals {
        let metrics = try ClassificationMetrics(probabilities: probabilities, labels: labels, classNames: ["normal", "pneumonia"])
        return MetricIntervals(
            metrics: metrics, probabilities: probabilities, labels: labels,
            bootstrap: StratifiedBootstrap(resamples: 2000, seed: seed))
    }

    @Test func theSameSeedGivesTheSameIntervals() throws {
        let first = try Self.intervals(seed: 7)
        #expect(try Self.intervals(seed: 7) == first)
        #expect(try Self.intervals(seed: 8).accuracy.bootstrap != first.accuracy.bootstrap)
    }

    /// Resampling within each class keeps its 100 positives, so the resampled SEN is
    /// Binomial(100, 0.8)/100, whose 2.5% and 97.5% quantiles are 0.72 and 0.88.
    @Test func sensitivityIntervalIsTheBinomialQuantiles() throws {
        let sensitivity = try #require(try Self.intervals(seed: 0).perClass["pneumonia"]?.sensitivity)
        let bootstrap = try #require(sensitivity.bootstrap)
        #expect(abs(bootstrap.lower - 0.72) <= 0.011 && abs(bootstrap.upper - 0.88) <= 0.011)
        // Wilson's interval of 80 of 100 lies close to it.
        let wilson = try #require(sensitivity.wilson)
        #expect(abs(wilson.lower - bootstrap.lower) < 0.02 && abs(wilson.upper - bootstrap.upper) < 0.02)
    }

    @Test func everyIntervalHoldsItsPointEstimate() throws {
        let metrics = try ClassificationMetrics(probabilities: Self.probabilities, labels: Self.labels, classNames: ["normal", "pneumonia"])
        let intervals = try Self.intervals(seed: 0)
        #expect(try #require(intervals.accuracy.wilson).contains(metrics.accuracy))
        #expect(try #require(intervals.accuracy.bootstrap).contains(metrics.accuracy))
        #expect(intervals.meanSensitivity.bootstrap?.contains(metrics.meanSensitivity ?? .nan) == true)
        #expect(intervals.meanSpecificity.bootstrap?.contains(metrics.meanSpecificity ?? .nan) == true)
        #expect(intervals.auc.delong?.contains(metrics.auc ?? .nan) == true)
    }

    @Test func aStatisticWithoutVariationHasADegenerateInterval() {
        let interval = StratifiedBootstrap(resamples: 50).intervals(strata: [0, 0, 1, 1], statisticCount: 2) { _ in [0.5, nil] }
        #expect(interval == [ConfidenceInterval(lower: 0.5, upper: 0.5), nil])
    }
}

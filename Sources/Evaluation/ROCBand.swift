/// A pointwise 95% band around a ROC curve: at each false-positive rate of a fixed grid, the
/// percentile interval of the true-positive rate over stratified bootstrap resamples of the
/// samples ("vertical averaging", Fawcett 2006, section 8.1, with the bootstrap of
/// `StratifiedBootstrap`). Pointwise: each rate's interval covers that rate's true-positive
/// rate 95% of the time; the band as a whole is not a simultaneous 95% region.
public struct ROCBand: Equatable, Sendable {
    /// 101 rates, 0, 0.01, ..., 1: finer than a plot's pixels at the figures' size.
    public static let defaultGrid = (0...100).map { Double($0) / 100 }

    public let falsePositiveRates: [Double]
    /// Per rate of `falsePositiveRates`, the interval's bounds.
    public let lower: [Double]
    public let upper: [Double]

    /// The band of the curve of `scores` for the samples flagged in `isPositive`, or nil when
    /// that curve is undefined (no positive or no negative sample).
    /// - Parameter strata: each sample's stratum, kept at its count in every resample; by
    ///   default positive or negative. Give the true classes for a one-vs-rest curve of several.
    public init?(
        scores: [Float], isPositive: [Bool], strata: [Int]? = nil,
        bootstrap: StratifiedBootstrap = StratifiedBootstrap(), grid: [Double] = defaultGrid
    ) {
        guard ROCCurve(scores: scores, isPositive: isPositive) != nil else { return nil }
        let strata = strata ?? isPositive.map { $0 ? 1 : 0 }
        precondition(strata.count == scores.count, "one stratum per score")
        var resampledScores = scores
        var resampledPositives = isPositive
        let intervals = bootstrap.intervals(strata: strata, statisticCount: grid.count) { indices in
            for (slot, index) in indices.enumerated() {
                resampledScores[slot] = scores[index]
                resampledPositives[slot] = isPositive[index]
            }
            // Strata finer than positive/negative keep both present; nil only for coarser ones.
            guard let curve = ROCCurve(scores: resampledScores, isPositive: resampledPositives) else {
                return grid.map { _ in nil }
            }
            return grid.map { curve.truePositiveRate(atFalsePositiveRate: $0) }
        }
        falsePositiveRates = grid
        lower = intervals.map { $0?.lower ?? 0 }
        upper = intervals.map { $0?.upper ?? 1 }
    }
}

extension ROCCurve {
    /// The true-positive rate at false-positive rate `rate`, read off the curve as drawn: linear
    /// along a sloped (tied) segment, and the top of a vertical step.
    public func truePositiveRate(atFalsePositiveRate rate: Double) -> Double {
        // Points ascend in both rates, so the last at or left of `rate` is the top of its step:
        // found by bisection, as the band asks this of every resample at every grid rate.
        var below = 0
        var beyond = points.count
        while beyond - below > 1 {
            let middle = (below + beyond) / 2
            if points[middle].falsePositiveRate <= rate { below = middle } else { beyond = middle }
        }
        guard below + 1 < points.count else { return points[below].truePositiveRate }
        let left = points[below]
        let right = points[below + 1]
        let fraction = (rate - left.falsePositiveRate) / (right.falsePositiveRate - left.falsePositiveRate)
        return left.truePositiveRate + fraction * (right.truePositiveRate - left.truePositiveRate)
    }
}

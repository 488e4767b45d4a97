import Support

/// Percentile intervals by the stratified bootstrap (Efron and Tibshirani 1993, ch. 13): each
/// resample draws, with replacement, as many samples from each stratum (each true class) as the
/// stratum holds, so every resample has the split's class counts and a class's sensitivity is
/// defined in every resample where it is defined at all. Seeded: the same seed, strata and
/// statistic give the same interval on every machine.
public struct StratifiedBootstrap: Sendable {
    public static let defaultResamples = 2000
    public static let defaultSeed: UInt64 = 0

    public let resamples: Int
    public let seed: UInt64

    /// - Parameters:
    ///   - resamples: how many resampled splits; 2,000 puts the Monte-Carlo error of a 95%
    ///     percentile bound well below the interval's width.
    ///   - seed: the generator's key; change it to see the Monte-Carlo spread.
    public init(resamples: Int = defaultResamples, seed: UInt64 = defaultSeed) {
        precondition(resamples >= 1, "the bootstrap needs at least one resample")
        self.resamples = resamples
        self.seed = seed
    }

    /// The 95% percentile interval (the 2.5th and 97.5th percentiles, interpolated as numpy's
    /// default) of each of the `statisticCount` values `statistics` returns for the sample
    /// indices of a resample. A statistic undefined (nil) in a resample is left out of that
    /// resample; one undefined in every resample has no interval.
    /// - Parameter strata: each sample's stratum (its true class).
    public func intervals(
        strata: [Int], statisticCount: Int, _ statistics: (_ indices: [Int]) -> [Double?]
    ) -> [ConfidenceInterval?] {
        var members: [Int: [Int]] = [:]
        for (index, stratum) in strata.enumerated() { members[stratum, default: []].append(index) }
        let groups = members.keys.sorted().map { members[$0]! }
        var generator = SplitMix64(seed: SplitMix64.key(seed))
        var values = [[Double]](repeating: [], count: statisticCount)
        var indices = [Int](repeating: 0, count: strata.count)
        for _ in 0..<resamples {
            var position = 0
            for group in groups {
                for _ in group.indices {
                    indices[position] = group[Int(generator.next(upperBound: UInt64(group.count)))]
                    position += 1
                }
            }
            for (statistic, value) in statistics(indices).enumerated() {
                if let value { values[statistic].append(value) }
            }
        }
        return values.map { drawn in
            guard !drawn.isEmpty else { return nil }
            let sorted = drawn.sorted()
            return ConfidenceInterval(lower: percentile(sorted, 0.025), upper: percentile(sorted, 0.975))
        }
    }
}

/// The q-quantile of ascending `sorted`, linear between the two nearest ranks (numpy's default).
private func percentile(_ sorted: [Double], _ q: Double) -> Double {
    let position = q * Double(sorted.count - 1)
    let below = Int(position.rounded(.down))
    let above = min(below + 1, sorted.count - 1)
    return sorted[below] + (position - Double(below)) * (sorted[above] - sorted[below])
}

/// The AUC of one set of scores with DeLong's variance (DeLong, DeLong and Clarke-Pearson 1988),
/// computed by the fast midrank algorithm of Sun and Xu (2014) in O(N log N).
///
/// With m positives X and n negatives Y, each sample has a placement value (DeLong's
/// structural component):
///
///     V10(xᵢ) = P̂(Y < xᵢ) + ½ P̂(Y = xᵢ) = (T_Z(xᵢ) − T_X(xᵢ)) / n
///     V01(yⱼ) = P̂(X > yⱼ) + ½ P̂(X = yⱼ) = 1 − (T_Z(yⱼ) − T_Y(yⱼ)) / m
///
/// where T_X, T_Y and T_Z are midranks among the positives, the negatives and all samples
/// (Sun and Xu, eqs. 11-13). The AUC is the mean of either set of placements, and
/// Var(AUC) = S10/m + S01/n with S10, S01 their sample variances.
///
/// Several AUCs measured on the same samples are combined through `variance(of:strata:)`, which
/// gives the paired test (a difference of two models' AUCs) and the macro AUC of more than
/// two classes from the same placements.
public struct DeLongAUC: Sendable {
    public let auc: Double
    /// Per sample: V10 for a positive, V01 for a negative.
    public let placements: [Double]
    public let isPositive: [Bool]
    public let positiveCount: Int
    public let negativeCount: Int

    /// Nil when the AUC is undefined: no positive or no negative sample. Scores must be finite.
    public init?(scores: [Float], isPositive: [Bool]) {
        precondition(scores.count == isPositive.count, "one flag per score")
        let positiveCount = isPositive.count { $0 }
        let negativeCount = isPositive.count - positiveCount
        guard positiveCount > 0, negativeCount > 0 else { return nil }
        let all = midranks(scores)
        let withinGroup = midranksWithinGroups(scores, isPositive: isPositive)
        let (m, n) = (Double(positiveCount), Double(negativeCount))
        placements = scores.indices.map { index in
            isPositive[index] ? (all[index] - withinGroup[index]) / n : 1 - (all[index] - withinGroup[index]) / m
        }
        let positiveRankSum = scores.indices.reduce(0.0) { isPositive[$1] ? $0 + all[$1] : $0 }
        auc = (positiveRankSum - m * (m + 1) / 2) / (m * n)
        self.isPositive = isPositive
        self.positiveCount = positiveCount
        self.negativeCount = negativeCount
    }

    /// One AUC per class, scoring the samples by that class's probability with the class as
    /// positive (as `ROCCurve.oneVsRest`); nil for a class absent from the labels or every label.
    /// `probabilities` is (N, classCount) row-major.
    public static func oneVsRest(probabilities: [Float], labels: [Int], classCount: Int) -> [DeLongAUC?] {
        (0..<classCount).map { classIndex in
            DeLongAUC(
                scores: labels.indices.map { probabilities[$0 * classCount + classIndex] },
                isPositive: labels.map { $0 == classIndex })
        }
    }

    /// The terms of the macro AUC, the mean of the defined one-vs-rest AUCs (as
    /// `ClassificationMetrics.auc` for more than two classes), for `variance(of:strata:)` with
    /// the true classes as strata.
    public static func macroAverageTerms(_ classAUCs: [DeLongAUC?]) -> [(weight: Double, auc: DeLongAUC)] {
        let defined = classAUCs.compactMap { $0 }
        return defined.map { (1 / Double(defined.count), $0) }
    }

    /// DeLong's variance S10/m + S01/n; nil with a single positive or negative, whose sample
    /// variance is undefined.
    public var variance: Double? {
        Self.variance(of: [(1, self)], strata: isPositive.map { $0 ? 1 : 0 })
    }

    /// The 95% interval AUC ± 1.96·√Var, clipped to [0, 1].
    public var interval: ConfidenceInterval? {
        variance.map { ConfidenceInterval(estimate: auc, standardError: $0.squareRoot()) }
    }

    /// The variance of Σ wₜ·AUCₜ over AUCs measured on the same samples, with the sample
    /// counts of each stratum held fixed (the design of a test split: so many images of each
    /// class). Each sample's influence on the combination is
    ///
    ///     ψ(i) = Σₜ wₜ (Vₜ(i) − AUCₜ) / (mₜ if i is positive in t, else nₜ)
    ///
    /// and the variance is Σ_k N_k · s²_k(ψ), s²_k the sample variance of ψ within stratum k.
    /// For one AUC with the positives and the negatives as strata this is exactly S10/m + S01/n;
    /// for two AUCs with weights 1 and −1 it is DeLong's variance of their difference,
    /// S10₁₁ + S10₂₂ − 2 S10₁₂ over m plus the same over n. Nil when a stratum has a single
    /// sample.
    public static func variance(of terms: [(weight: Double, auc: DeLongAUC)], strata: [Int]) -> Double? {
        precondition(terms.allSatisfy { $0.auc.placements.count == strata.count }, "every AUC must be measured on the same samples")
        let influence = strata.indices.map { index in
            terms.reduce(0.0) { sum, term in
                let auc = term.auc
                let groupSize = auc.isPositive[index] ? auc.positiveCount : auc.negativeCount
                return sum + term.weight * (auc.placements[index] - auc.auc) / Double(groupSize)
            }
        }
        var members: [Int: [Double]] = [:]
        for (index, stratum) in strata.enumerated() { members[stratum, default: []].append(influence[index]) }
        guard members.values.allSatisfy({ $0.count >= 2 }) else { return nil }
        return members.values.reduce(0.0) { $0 + Double($1.count) * sampleVariance($1) }
    }
}

/// Σ(x − x̄)² / (n − 1).
private func sampleVariance(_ values: [Double]) -> Double {
    let mean = values.reduce(0, +) / Double(values.count)
    let squares: Double = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
    return squares / Double(values.count - 1)
}

/// 1-based ranks of `values` in ascending order, tied values sharing the mean of their ranks.
func midranks(_ values: [Float]) -> [Double] {
    let order = values.indices.sorted { values[$0] < values[$1] }
    var ranks = [Double](repeating: 0, count: values.count)
    var start = 0
    while start < order.count {
        var end = start
        while end + 1 < order.count && values[order[end + 1]] == values[order[start]] { end += 1 }
        let midrank = Double(start + end) / 2 + 1
        for position in start...end { ranks[order[position]] = midrank }
        start = end + 1
    }
    return ranks
}

/// Each sample's midrank among the samples of its own group (T_X for a positive, T_Y for a negative).
private func midranksWithinGroups(_ scores: [Float], isPositive: [Bool]) -> [Double] {
    var ranks = [Double](repeating: 0, count: scores.count)
    for group in [true, false] {
        let members = scores.indices.filter { isPositive[$0] == group }
        for (member, rank) in zip(members, midranks(members.map { scores[$0] })) { ranks[member] = rank }
    }
    return ranks
}

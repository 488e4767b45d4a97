/// DeLong's test of whether two AUCs measured on the same images differ (DeLong, DeLong and
/// Clarke-Pearson 1988): z = (AUC_A − AUC_B) / √Var(AUC_A − AUC_B), with the variance of the
/// difference from both models' placement values (`DeLongAUC.variance(of:strata:)`), so the
/// correlation of two models scoring the same images is taken into account.
public struct PairedDeLongTest: Equatable, Sendable {
    public let first: Double
    public let second: Double
    /// first − second.
    public let difference: Double
    public let variance: Double
    /// Two-sided; 1 when the two models rank every image alike (zero variance, zero difference).
    public let pValue: Double
    /// difference ± 1.96 standard errors, clipped to [−1, 1].
    public let interval: ConfidenceInterval

    /// The difference of two AUCs, each a weighted sum Σ wₜ·AUCₜ (one term with weight 1 for a
    /// class's AUC; 1/K per class for a macro average), on the same images with `strata`
    /// (the positives and negatives of one AUC, or the true classes of a macro average).
    /// Nil when either side has no AUC, or a stratum has a single image (undefined variance).
    public init?(first: [(weight: Double, auc: DeLongAUC)], second: [(weight: Double, auc: DeLongAUC)], strata: [Int]) {
        guard !first.isEmpty, !second.isEmpty,
              let variance = DeLongAUC.variance(of: first + second.map { (-$0.weight, $0.auc) }, strata: strata) else { return nil }
        self.first = first.reduce(0) { $0 + $1.weight * $1.auc.auc }
        self.second = second.reduce(0) { $0 + $1.weight * $1.auc.auc }
        difference = self.first - self.second
        self.variance = variance
        let standardError = variance.squareRoot()
        if standardError > 0 {
            pValue = NormalDistribution.twoSidedPValue(difference / standardError)
        } else {
            pValue = difference == 0 ? 1 : 0
        }
        interval = ConfidenceInterval(estimate: difference, standardError: standardError, clippedTo: -1...1)
    }

    /// The test of one class's AUC (that class against the rest) of two models.
    public init?(first: DeLongAUC, second: DeLongAUC) {
        precondition(first.isPositive == second.isPositive, "both AUCs must be of the same class on the same images")
        self.init(first: [(1, first)], second: [(1, second)], strata: first.isPositive.map { $0 ? 1 : 0 })
    }
}

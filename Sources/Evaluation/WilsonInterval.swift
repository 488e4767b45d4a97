extension ConfidenceInterval {
    /// The Wilson score interval of a proportion, `successes` of `trials` (Wilson 1927; the
    /// interval Agresti and Coull 1998 recommend over the Wald p ± z·√(p(1−p)/n), which
    /// collapses to a point at 0% or 100% and undercovers on the small counts of a test split):
    ///
    ///     centre = (p + z²/2n) / (1 + z²/n)
    ///     half   = z / (1 + z²/n) · √(p(1−p)/n + z²/4n²)
    ///
    /// Nil when there are no trials, where the proportion itself is undefined.
    public static func wilson(successes: Int, trials: Int, z: Double = NormalDistribution.quantile975) -> ConfidenceInterval? {
        precondition((0...max(trials, 0)).contains(successes), "successes must be from 0 to the number of trials")
        guard trials > 0 else { return nil }
        let n = Double(trials)
        let p = Double(successes) / n
        let z2 = z * z
        let centre = (p + z2 / (2 * n)) / (1 + z2 / n)
        let half = z / (1 + z2 / n) * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        return ConfidenceInterval(lower: max(0, centre - half), upper: min(1, centre + half))
    }
}

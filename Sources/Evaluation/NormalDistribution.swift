import Foundation

/// The few facts of the standard normal distribution the intervals and tests need.
public enum NormalDistribution {
    /// z such that P(Z ≤ z) = 0.975: the half-width, in standard errors, of a 95% interval.
    public static let quantile975 = 1.959963984540054

    /// P(|Z| ≥ |z|): the p-value of a two-sided z test, through the complementary error
    /// function, which keeps its precision in the tail where 1 − erf would cancel.
    public static func twoSidedPValue(_ z: Double) -> Double {
        erfc(abs(z) / 2.0.squareRoot())
    }
}

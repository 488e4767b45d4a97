import Foundation

/// A two-sided interval [lower, upper] meant to hold the true value with a stated probability
/// (95% throughout bstrain). Written to metrics.json as `{"lower": ..., "upper": ...}`.
public struct ConfidenceInterval: Codable, Equatable, Sendable {
    public let lower: Double
    public let upper: Double

    public init(lower: Double, upper: Double) {
        precondition(lower <= upper, "an interval's lower bound cannot exceed its upper bound")
        self.lower = lower
        self.upper = upper
    }

    /// estimate ± z·standardError, clipped to `bounds` (a proportion or an AUC cannot leave
    /// [0, 1], however wide the normal approximation is; pROC clips the same way).
    public init(estimate: Double, standardError: Double, z: Double = NormalDistribution.quantile975,
                clippedTo bounds: ClosedRange<Double> = 0...1) {
        self.init(
            lower: min(max(estimate - z * standardError, bounds.lowerBound), bounds.upperBound),
            upper: max(min(estimate + z * standardError, bounds.upperBound), bounds.lowerBound))
    }

    public func contains(_ value: Double) -> Bool { lower <= value && value <= upper }
}

/// "[0.8712, 0.9301]", the form the printed summaries use.
extension ConfidenceInterval: CustomStringConvertible {
    public var description: String { String(format: "[%.4f, %.4f]", lower, upper) }
}

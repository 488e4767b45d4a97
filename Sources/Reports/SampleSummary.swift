/// The mean and sample standard deviation (divisor n − 1) of one figure over repeated runs: the
/// folds of cross-validation, the seeds of a comparison.
public struct SampleSummary: Equatable, Sendable {
    public let mean: Double
    /// nil for a single value, which says nothing of the spread.
    public let standardDeviation: Double?
    public let count: Int

    /// nil when `values` is empty.
    public init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        let mean = values.reduce(0, +) / Double(values.count)
        self.mean = mean
        self.count = values.count
        standardDeviation = values.count > 1
            ? (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot() : nil
    }
}

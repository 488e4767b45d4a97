/// Bounds past which a count given on the command line is a typing error rather than a
/// request: they keep every size computed from the options inside 64 bits. The memory checks
/// refuse what would not fit the machine long before these.
public enum OptionLimits {
    /// Images in one batch.
    public static let largestBatch = 1 << 24
    /// Threads per process.
    public static let largestThreads = 1024
    /// More folds than this is a typing error: each fold is a whole training run.
    public static let largestFoldCount = 100
}

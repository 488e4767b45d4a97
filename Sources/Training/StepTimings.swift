import Foundation

/// Where one training step's time went on this rank: computing, or inside communication calls.
public struct StepTimings: Sendable {
    /// Seconds from forward to the summed gradients (the optimizer step is not included).
    public var totalSeconds: Double = 0
    /// Seconds inside communication calls: the all-gather of embeddings and labels, starting,
    /// testing and waiting for the gradient buckets, and the loss sum. With `--sync-bn` the
    /// batch-norm reductions run inside forward and backward and count as compute.
    public var communicationSeconds: Double = 0

    public init() {}

    /// Seconds of forward, losses and backward.
    public var computeSeconds: Double { totalSeconds - communicationSeconds }
}

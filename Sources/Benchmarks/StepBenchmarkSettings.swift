import Losses
import Networks

/// The training step that both step benchmarks time (`bench --model` on one rank, `bench-dist`
/// on several): a network on seeded random images, its loss, and how many steps are timed after
/// how many untimed ones.
public struct StepBenchmarkSettings: Sendable {
    public var network: NetworkKind
    /// Samples per step: the global batch, split over the ranks where there are several.
    public var batch: Int
    public var imageSize: Int
    public var channels: Int
    public var classes: Int
    public var loss: LossConfiguration
    /// Threads per rank, for OpenBLAS and the engine's direct loops.
    public var threads: Int
    /// Timed steps.
    public var steps: Int
    /// Untimed steps first, so buffers are touched and caches and BLAS threads are warm.
    public var warmUp: Int

    /// - Parameters:
    ///   - network: the network whose step is timed.
    ///   - batch: samples per step, over all ranks.
    ///   - imageSize: the images' side in pixels.
    ///   - channels: 1 (grey) or 3 (colour).
    ///   - classes: classes of the classifier head.
    ///   - loss: cross-entropy and the metric loss, if any.
    ///   - threads: threads per rank.
    ///   - steps: timed steps.
    ///   - warmUp: untimed steps before them.
    public init(
        network: NetworkKind, batch: Int = 36, imageSize: Int = 128, channels: Int = 1, classes: Int = 2,
        loss: LossConfiguration, threads: Int = 1, steps: Int = 10, warmUp: Int = 3
    ) {
        self.network = network
        self.batch = batch
        self.imageSize = imageSize
        self.channels = channels
        self.classes = classes
        self.loss = loss
        self.threads = threads
        self.steps = steps
        self.warmUp = warmUp
    }
}

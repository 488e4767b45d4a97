import Data
import Engine
import Losses
import Networks
import Support

/// The memory a training run will hold, part by part, worked out from the configuration and
/// the number of images before anything large is allocated: `check` refuses a run that would
/// not fit with the figures, instead of ending in "failed to allocate" or the out-of-memory
/// killer halfway through decoding.
public struct MemoryEstimate: Sendable {
    /// Each part's bytes on one rank; nil for a size past what 64 bits count.
    public let parts: [(name: String, bytes: UInt64?)]
    /// Ranks sharing this node's memory (each holds every part).
    public let ranksOnNode: Int

    /// What a process holds besides the parts counted: the Swift runtime, OpenBLAS's and
    /// libjpeg's buffers. Measured as peak RSS less the other parts on chest2 (MobileNet, 2
    /// threads: 385 MB against 308 MB counted).
    static let processOverheadBytes: UInt64 = 80_000_000

    /// - Parameter images: the images of each split; every rank decodes them all.
    public init(
        configuration: TrainingConfiguration, classes: Int, images: (train: Int, validation: Int, test: Int), worldSize: Int,
        ranksOnNode: Int = ranksOnThisNode
    ) throws {
        let graph = try makeGraph(
            configuration.model, inputShape: TensorShape(height: configuration.imageSize, width: configuration.imageSize, channels: configuration.channels),
            classes: classes)
        let localCapacity = max(2, (configuration.batch + worldSize - 1) / max(1, worldSize))
        let network = ExecutorFootprint(graph: graph, batchCapacity: localCapacity)
        let floatSize = MemoryLayout<Float>.size
        let pixels = MemoryBudget.product(configuration.imageSize, configuration.imageSize, configuration.channels)
        let width = graph.embeddingWidth
        let parameterCopies = configuration.optimizer.stateVectors + 1 + (configuration.ema > 0 ? 1 : 0)
        let iterations = configuration.iterationsPerEpoch ?? (images.train + configuration.batch - 1) / configuration.batch
        let metricLoss = configuration.loss.metric?.workspaceBytes(count: configuration.batch, width: width) ?? 0
        parts = [
            ("network", network.totalBytes),
            ("optimizer, best weights and moving average", UInt64(parameterCopies) * UInt64(graph.trainableCount) * UInt64(floatSize)),
            ("decoded images", pixels.flatMap { MemoryBudget.product(Int($0), images.train + images.validation + images.test) }),
            ("batch plan", MemoryBudget.product(iterations, configuration.batch, MemoryLayout<Int>.size)),
            ("batches and metric loss", MemoryBudget.sum(
                pixels.flatMap { MemoryBudget.product(Int($0), localCapacity, 2, floatSize) },
                MemoryBudget.product(configuration.batch, width + 1, 2, floatSize), metricLoss)),
            ("evaluation outputs", MemoryBudget.product(max(images.validation, images.test), width + classes, floatSize)),
            ("runtime and libraries", Self.processOverheadBytes),
        ]
        self.ranksOnNode = ranksOnNode
    }

    /// Every part of every rank on this node.
    public var totalBytes: UInt64? {
        parts.reduce(UInt64?(0)) { MemoryBudget.sum($0, $1.bytes) }.flatMap { MemoryBudget.product(Int(clamping: $0), ranksOnNode) }
    }

    /// "network 180 MB, decoded images 85 MB, ...": each part on one rank.
    public var partsSummary: String {
        parts.map { "\($0.name) \($0.bytes.map(MemoryBudgetError.format) ?? "too large to count")" }.joined(separator: ", ")
    }

    /// "about 420 MB (per rank: network 180 MB, ...)", for the start of a run.
    public var summary: String {
        let ranks = ranksOnNode > 1 ? " for \(ranksOnNode) ranks on this node" : ""
        return "about \(totalBytes.map(MemoryBudgetError.format) ?? "more than can be counted")\(ranks) (per rank: \(partsSummary))"
    }

    /// Refuses a run whose estimate exceeds what `budget` has available.
    public func check(_ budget: MemoryBudget = .current) throws(MemoryBudgetError) {
        try budget.check(
            totalBytes, for: "this training run (per rank: \(partsSummary)\(ranksOnNode > 1 ? "; \(ranksOnNode) ranks on this node" : ""))",
            advice: "lower --batch or --image-size, train on fewer images, or start fewer ranks on this node")
    }
}

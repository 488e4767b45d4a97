import Distributed
import Engine
import Losses
import Networks
import Support

/// The losses of one step over the global batch, the same on every rank.
public struct StepLosses: Sendable {
    public var crossEntropy: Double
    /// The metric-learning part before λ (0 for `ce`).
    public var metric: Double
    public var total: Double
}

/// One training step of the global batch, of which this rank holds a contiguous slice:
/// forward; all-gather embeddings and labels; CE on the local logits normalised by the global
/// batch; the metric loss on the whole global batch, keeping this rank's rows of its gradient;
/// backward, overlapped with the sum of every rank's parameter gradients (the shares of one
/// global loss are summed, never averaged: docs/method.md, "Ranks"). Allocates nothing after
/// construction.
public final class TrainingStep {
    public let model: Model
    public let communicator: Communicator
    public let loss: LossConfiguration
    let metricLoss: (any MetricLoss)?
    let gradientReducer: GradientReducer
    /// τ·log π_c added to the logits of the training cross-entropy (--logit-adjustment); empty when off.
    public var logitOffsets: [Float] = []
    /// Where the last step's time went on this rank.
    public private(set) var timings = StepTimings()

    private var localLabels: [Int32]
    private var gatheredEmbeddings: [Float]
    private var gatheredLabels: [Int32]
    private var metricGradient: [Float]
    private var embeddingCounts: [Int]
    private var labelCounts: [Int]
    private var lossSums: [Double] = [0]

    /// A step for global batches of at most `globalBatch` samples, all-reducing the gradients
    /// in buckets of `bucketFloats` floats.
    public init(model: Model, communicator: Communicator, loss: LossConfiguration, globalBatch: Int, bucketFloats: Int) throws {
        self.model = model
        self.communicator = communicator
        self.loss = loss
        metricLoss = try loss.makeMetricLoss()
        let width = model.embeddingWidth
        localLabels = Array(repeating: 0, count: model.executor.batchCapacity)
        gatheredEmbeddings = Array(repeating: 0, count: globalBatch * width)
        gatheredLabels = Array(repeating: 0, count: globalBatch)
        metricGradient = Array(repeating: 0, count: globalBatch * width)
        embeddingCounts = Array(repeating: 0, count: communicator.worldSize)
        labelCounts = Array(repeating: 0, count: communicator.worldSize)
        gradientReducer = GradientReducer(
            executor: model.executor, communicator: communicator, bucketFloats: bucketFloats)
    }

    /// Runs the step for global batch of `globalCount` samples; this rank's `labels` are in
    /// `labels[0..<localCount]` and its images already in the executor's input.
    public func run(localCount: Int, labels: [Int], globalCount: Int, context: RunContext) throws -> StepLosses {
        let stepStart = monotonicSeconds()
        var communication = 0.0
        let executor = model.executor
        let width = model.embeddingWidth
        let classes = model.classCount
        for index in 0..<localCount { localLabels[index] = Int32(labels[index]) }

        executor.zeroGradients()
        executor.forward(context)

        let crossEntropyShare = try localLabels.withUnsafeBufferPointer { labels in
            try logitOffsets.withUnsafeBufferPointer { offsets in
                try SoftmaxCrossEntropy.evaluate(
                    logits: executor.logits, labels: labels.baseAddress!, count: localCount, classes: classes,
                    normalizer: Float(globalCount), labelSmoothing: loss.labelSmoothing,
                    logitOffsets: offsets.isEmpty ? nil : offsets.baseAddress, gradient: executor.logitsGradient)
            }
        }

        var metric: Float = 0
        if let metricLoss {
            let gatherStart = monotonicSeconds()
            try gatherEmbeddingsAndLabels(localCount: localCount, globalCount: globalCount, width: width)
            communication += monotonicSeconds() - gatherStart
            metric = try evaluate(metricLoss, globalCount: globalCount, width: width)
            // dL/df for this rank's rows of the global batch, scaled by λ (eq. 7).
            let firstRow = communicator.sliceRange(total: globalCount).lowerBound
            let lambda = loss.lambda
            metricGradient.withUnsafeBufferPointer { gradient in
                let source = gradient.baseAddress! + firstRow * width
                let target = executor.embeddingGradient
                for index in 0..<(localCount * width) { target[index] += lambda * source[index] }
            }
        }

        try gradientReducer.backwardAndReduce(context)
        communication += gradientReducer.communicationSeconds

        let sumStart = monotonicSeconds()
        lossSums[0] = Double(crossEntropyShare)
        try lossSums.withUnsafeMutableBufferPointer { try communicator.allReduceSum($0) }
        let crossEntropy = lossSums[0]
        communication += monotonicSeconds() - sumStart
        timings.totalSeconds = monotonicSeconds() - stepStart
        timings.communicationSeconds = communication
        return StepLosses(
            crossEntropy: crossEntropy, metric: Double(metric),
            total: crossEntropy + Double(loss.lambda) * Double(metric))
    }

    private func gatherEmbeddingsAndLabels(localCount: Int, globalCount: Int, width: Int) throws {
        let executor = model.executor
        for rank in 0..<communicator.worldSize {
            let count = communicator.sliceRange(total: globalCount, rank: rank).count
            labelCounts[rank] = count
            embeddingCounts[rank] = count * width
        }
        try gatheredEmbeddings.withUnsafeMutableBufferPointer { gathered in
            try communicator.allGather(
                UnsafeBufferPointer(start: executor.embeddings, count: localCount * width),
                into: UnsafeMutableBufferPointer(rebasing: gathered[0..<(globalCount * width)]),
                counts: embeddingCounts)
        }
        try localLabels.withUnsafeBufferPointer { local in
            try gatheredLabels.withUnsafeMutableBufferPointer { gathered in
                try communicator.allGather(
                    UnsafeBufferPointer(rebasing: local[0..<localCount]),
                    into: UnsafeMutableBufferPointer(rebasing: gathered[0..<globalCount]),
                    counts: labelCounts)
            }
        }
    }

    /// The metric loss of the gathered global batch, its gradient for every row in `metricGradient`.
    private func evaluate(_ metricLoss: any MetricLoss, globalCount: Int, width: Int) throws -> Float {
        try gatheredEmbeddings.withUnsafeBufferPointer { embeddings in
            try gatheredLabels.withUnsafeBufferPointer { labels in
                try metricGradient.withUnsafeMutableBufferPointer { gradient in
                    try metricLoss.evaluate(
                        embeddings: embeddings.baseAddress!, labels: labels.baseAddress!,
                        count: globalCount, width: width, gradient: gradient.baseAddress!)
                }
            }
        }
    }
}

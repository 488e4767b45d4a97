import Data
import Engine
import Foundation
import Losses
import Networks
import Support

/// Everything a split's evaluation produces, in sample order.
public struct Evaluation: Sendable {
    public var labels: [Int]
    /// (count, classes) softmax probabilities.
    public var probabilities: [Float]
    /// (count, width) embeddings.
    public var embeddings: [Float]
    public var crossEntropy: Double
    /// Mean metric loss over consecutive chunks of the training batch size (0 for `ce`).
    public var metric: Double
    public var total: Double

    public init(labels: [Int], probabilities: [Float], embeddings: [Float], crossEntropy: Double, metric: Double, total: Double) {
        self.labels = labels
        self.probabilities = probabilities
        self.embeddings = embeddings
        self.crossEntropy = crossEntropy
        self.metric = metric
        self.total = total
    }
}

/// Inference over a decoded split, batch by batch, with BN's running statistics.
public struct Evaluator {
    let model: Model
    let loss: LossConfiguration
    let metricLoss: (any MetricLoss)?
    let metricChunk: Int
    let threads: Int
    /// The views averaged per image; nil for the image alone.
    let views: [RadiographTransform]?

    /// - Parameter metricChunk: the metric loss is averaged over chunks of this many samples
    ///   (the training batch size), so the validation loss means the same as the training one
    ///   whatever the number of ranks.
    ///   - views: test-time augmentation: each image is run under every view and its
    ///     probabilities and embeddings are the means over the views; nil runs the image alone.
    public init(model: Model, loss: LossConfiguration, metricChunk: Int, threads: Int, views: [RadiographTransform]? = nil) throws {
        self.model = model
        self.loss = loss
        metricLoss = try loss.makeMetricLoss()
        self.metricChunk = metricChunk
        self.threads = threads
        self.views = views
    }

    public func evaluate(_ cache: ImageCache) throws -> Evaluation {
        let executor = model.executor
        let classes = model.classCount
        let width = model.embeddingWidth
        let count = cache.count
        var result = Evaluation(
            labels: cache.labels, probabilities: Array(repeating: 0, count: count * classes),
            embeddings: Array(repeating: 0, count: count * width), crossEntropy: 0, metric: 0, total: 0)
        let labels32 = result.labels.map { Int32($0) }
        var crossEntropySum = 0.0
        var viewProbabilities = [Float](repeating: 0, count: classes * executor.batchCapacity)
        let views = self.views ?? [RadiographTransform()]
        let share = 1 / Float(views.count)
        for batch in BatchLoader.evaluationPlan(count: count, batchSize: executor.batchCapacity) {
            let first = batch[0]
            for view in views {
                for (slot, index) in batch.enumerated() {
                    let destination = executor.input + slot * cache.pixelsPerImage
                    if self.views == nil {
                        cache.writeSample(index, into: destination)
                    } else {
                        cache.writeSample(index, radiograph: view, into: destination)
                    }
                }
                executor.forward(RunContext(batch: batch.count, training: false, threads: threads))
                try labels32.withUnsafeBufferPointer { labels in
                    try viewProbabilities.withUnsafeMutableBufferPointer { probabilities in
                        crossEntropySum += Double(try SoftmaxCrossEntropy.evaluate(
                            logits: executor.logits, labels: labels.baseAddress! + first, count: batch.count,
                            classes: classes, normalizer: 1, probabilities: probabilities.baseAddress!))
                    }
                }
                for offset in 0..<(batch.count * classes) {
                    result.probabilities[first * classes + offset] += share * viewProbabilities[offset]
                }
                for offset in 0..<(batch.count * width) {
                    result.embeddings[first * width + offset] += share * executor.embeddings[offset]
                }
            }
        }
        if views.count == 1 {
            result.crossEntropy = count > 0 ? crossEntropySum / Double(count) : 0
        } else {
            // The loss of the averaged prediction, which is the prediction reported.
            var sum = 0.0
            for (sample, label) in result.labels.enumerated() {
                sum -= Double(log(max(result.probabilities[sample * classes + label], .leastNormalMagnitude)))
            }
            result.crossEntropy = count > 0 ? sum / Double(count) : 0
        }
        if let metricLoss {
            result.metric = try meanMetricLoss(metricLoss, embeddings: result.embeddings, labels: labels32, width: width)
        }
        result.total = result.crossEntropy + Double(loss.lambda) * result.metric
        return result
    }

    /// Splits are stored class by class, so consecutive chunks would hold one class each; the
    /// chunks are taken in a fixed shuffled order instead, like training batches.
    private func meanMetricLoss(_ metricLoss: any MetricLoss, embeddings: [Float], labels: [Int32], width: Int) throws -> Double {
        var generator = SplitMix64(seed: 0x5EED_0F_7A1)
        let order = Array(labels.indices).shuffled(using: &generator)
        var chunkEmbeddings = [Float](repeating: 0, count: metricChunk * width)
        var chunkLabels = [Int32](repeating: 0, count: metricChunk)
        var sum = 0.0
        var chunks = 0
        for start in stride(from: 0, to: order.count, by: metricChunk) {
            let members = order[start..<min(start + metricChunk, order.count)]
            guard members.count >= 2 else { continue }
            for (slot, index) in members.enumerated() {
                chunkLabels[slot] = labels[index]
                for column in 0..<width { chunkEmbeddings[slot * width + column] = embeddings[index * width + column] }
            }
            sum += Double(try metricLoss.evaluate(
                embeddings: chunkEmbeddings, labels: chunkLabels, count: members.count, width: width, gradient: nil))
            chunks += 1
        }
        return chunks > 0 ? sum / Double(chunks) : 0
    }
}

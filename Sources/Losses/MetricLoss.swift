import Support

/// A deep-metric-learning loss on a batch of embeddings and their class labels.
///
/// The distributed trainer calls `evaluate` on the all-gathered global batch and keeps its
/// own rows of the gradient, so any `count` ≥ 2 is accepted, with any mix of classes.
public protocol MetricLoss: AnyObject {
    /// Which of bstrain's metric losses this is.
    var kind: MetricLossKind { get }
    /// The margin in use (m for BSTriplet, α for lifted).
    var margin: Float { get }

    /// The mean loss over the batch.
    ///
    /// - Parameters:
    ///   - embeddings: (count, width) row-major, the un-normalised embeddings f.
    ///   - labels: (count) class labels; only their equality matters.
    ///   - gradient: (count, width), when given: overwritten (not accumulated) with dL/df.
    /// - Throws: `LossError.tooFewSamples` when `count` < 2, `LossError.invalidWidth`.
    func evaluate(
        embeddings: UnsafePointer<Float>, labels: UnsafePointer<Int32>,
        count: Int, width: Int, gradient: UnsafeMutablePointer<Float>?
    ) throws -> Float
}

extension MetricLoss {
    /// Loss and gradient of `embeddings` ((labels.count, width) row-major) as arrays.
    /// Allocates its result: for tools and tests, not for the training step.
    public func evaluate(embeddings: [Float], labels: [Int32], width: Int) throws -> (loss: Float, gradient: [Float]) {
        guard width > 0 else { throw LossError.invalidWidth(width) }
        guard embeddings.count == labels.count * width else {
            throw LossError.shapeMismatch(values: embeddings.count, samples: labels.count, width: width)
        }
        var gradient = [Float](repeating: 0, count: embeddings.count)
        let loss = try gradient.withUnsafeMutableBufferPointer { gradient in
            try evaluate(
                embeddings: embeddings, labels: labels, count: labels.count, width: width,
                gradient: gradient.baseAddress)
        }
        return (loss, gradient)
    }
}

/// The metric losses bstrain compares (paper Table 4).
public enum MetricLossKind: String, CaseIterable, Sendable {
    /// Batch-similarity triplet loss, eqs. 2-4: `BatchSimilarityTripletLoss`.
    case bst
    /// Similarity triplet loss of eq. 1: `SimilarityTripletLoss`.
    case triplet
    /// Improved lifted structure loss of Song et al. 2016: `LiftedStructureLoss`.
    case lifted

    /// The loss's name in messages.
    public var title: String {
        switch self {
        case .bst: return "batch-similarity triplet loss (BSTriplet)"
        case .triplet: return "similarity triplet loss"
        case .lifted: return "lifted structure loss"
        }
    }

    /// Bytes the loss reserves for `count` embeddings of `width`, nil when that overflows.
    /// Every loss compares all pairs, so (count, count) matrices dominate: S and its gradient
    /// (`CosineSimilarityMatrix`), three more for lifted; plus the normalised copy and norms.
    public func workspaceBytes(count: Int, width: Int) -> UInt64? {
        guard let pairs = MemoryBudget.product(count, count, MemoryLayout<Float>.size, self == .lifted ? 5 : 2),
              let rows = MemoryBudget.product(count, width + 1, MemoryLayout<Float>.size)
        else { return nil }
        let (total, overflow) = pairs.addingReportingOverflow(rows)
        return overflow ? nil : total
    }

    /// The margin used when none is given.
    public var defaultMargin: Float {
        switch self {
        case .bst: return BatchSimilarityTripletLoss.defaultMargin
        case .triplet: return SimilarityTripletLoss.defaultMargin
        case .lifted: return LiftedStructureLoss.defaultMargin
        }
    }

    /// Whether `margin` is one this loss defines.
    public func accepts(margin: Float) -> Bool {
        switch self {
        // m ∈ [0, 1], "near 1" (docs/method.md, "Margin").
        case .bst: return (0...1).contains(margin)
        case .triplet, .lifted: return margin.isFinite && margin >= 0
        }
    }

    var marginRangeDescription: String {
        switch self {
        case .bst: return "0 ≤ m ≤ 1"
        case .triplet, .lifted: return "a finite number ≥ 0"
        }
    }

    /// A fresh loss of this kind; `square` applies to `.bst` only.
    public func makeLoss(
        margin: Float? = nil, square: BatchSimilarityTripletLoss.Square = .signed
    ) throws -> any MetricLoss {
        let margin = margin ?? defaultMargin
        switch self {
        case .bst: return try BatchSimilarityTripletLoss(margin: margin, square: square)
        case .triplet: return try SimilarityTripletLoss(margin: margin)
        case .lifted: return try LiftedStructureLoss(margin: margin)
        }
    }
}

extension MetricLossKind {
    /// `margin`, checked as every metric loss's initialiser checks it.
    /// - Throws: `LossError.marginOutOfRange` unless `accepts(margin:)`.
    func checkedMargin(_ margin: Float) throws -> Float {
        guard accepts(margin: margin) else { throw LossError.marginOutOfRange(loss: self, margin: margin) }
        return margin
    }
}

/// A metric loss that is a function of the cosine similarity matrix S = f̂ f̂ᵀ of its batch, as
/// all three of bstrain's are. `evaluate(embeddings:…)` is written once, here: it checks the
/// batch, computes S, hands S to the loss's own `evaluate(similarity:…)` and carries the dL/dS
/// that returns back to dL/df. A loss's own file then holds only its formula on S.
protocol CosineSimilarityLoss: MetricLoss {
    /// The loss's S, dL/dS and f̂, kept from one batch to the next.
    var cosine: CosineSimilarityMatrix { get }

    /// The loss on S.
    ///
    /// - Parameters:
    ///   - similarity: (count, count) S_ij = f̂_i · f̂_j.
    ///   - labels: (count) class labels; only their equality matters.
    ///   - similarityGradient: (count, count), zeroed, when a gradient is wanted: the loss
    ///     writes dL/dS into it; S_ij and S_ji count as separate entries.
    func evaluate(
        similarity: UnsafePointer<Float>, labels: UnsafePointer<Int32>, count: Int,
        similarityGradient: UnsafeMutablePointer<Float>?
    ) -> SimilarityLossValue
}

/// What a `CosineSimilarityLoss` found on S.
enum SimilarityLossValue {
    /// The mean loss; dL/dS is in the similarity gradient when one was asked for.
    case mean(Float)
    /// Nothing in the batch is active (no active triplet, no positive pair): loss 0 and
    /// gradient 0, so the way back through S is skipped.
    case zero
}

extension CosineSimilarityLoss {
    public func evaluate(
        embeddings: UnsafePointer<Float>, labels: UnsafePointer<Int32>,
        count: Int, width: Int, gradient: UnsafeMutablePointer<Float>?
    ) throws -> Float {
        guard count >= 2 else { throw LossError.tooFewSamples(loss: kind, count: count) }
        guard width > 0 else { throw LossError.invalidWidth(width) }
        cosine.compute(embeddings: embeddings, count: count, width: width)
        let value = evaluate(
            similarity: cosine.similarity, labels: labels, count: count,
            similarityGradient: gradient == nil ? nil : cosine.similarityGradient)
        switch value {
        case .mean(let loss):
            if let gradient { cosine.backpropagate(into: gradient) }
            return loss
        case .zero:
            gradient?.update(repeating: 0, count: count * width)
            return 0
        }
    }
}

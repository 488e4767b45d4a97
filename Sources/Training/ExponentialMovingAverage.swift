import Networks

/// An exponential moving average of the trainable parameters (`--ema DECAY`), the weights
/// rank 0 validates, saves and reports when it is on.
///
/// After every optimizer step θ̄ ← d·θ̄ + (1 − d)·θ (d smaller over the first steps,
/// `decay(atStep:)`), starting from the weights training starts (or resumes) from. The average is of the trainable parameters only: the averaged model
/// uses the live BN running statistics, which already are an average over batches. With d
/// near 1 the average spans about 1 / (1 − d) steps and smooths the last epochs' noise, which
/// tends to generalise better than the weights of any single step.
final class ExponentialMovingAverage {
    let decay: Float
    /// θ̄, as long as the model's parameter arena.
    private(set) var parameters: [Float]
    /// The live parameters while the average is swapped in.
    private var live: [Float]

    /// The name of θ̄ in a checkpoint, beside the model's and the optimizer's tensors.
    static let checkpointTensorName = "ema.parameters"

    init(decay: Float, startingFrom model: Model) {
        precondition(decay > 0 && decay < 1)
        self.decay = decay
        parameters = Array(model.executor.parameters)
        live = parameters
    }

    /// The decay of update `step` (1 for the first): d, or less while fewer than about
    /// 1 / (1 − d) steps have been taken, min(d, (1 + step) / (10 + step)) as TensorFlow's
    /// `ExponentialMovingAverage(num_updates:)`. Without it θ̄ of a short run or a small set
    /// would be mostly the initial weights.
    func decay(atStep step: Int) -> Float {
        min(decay, Float(1 + step) / Float(10 + step))
    }

    /// θ̄ ← d_t·θ̄ + (1 − d_t)·θ with θ the model's current parameters and d_t `decay(atStep:)`,
    /// for the parameters in `range` (all when nil): those the optimizer updated; the others
    /// keep θ̄ as it is, so a frozen backbone's average stays bit-identical.
    func update(from model: Model, step: Int, updating range: Range<Int>? = nil) {
        let current = model.executor.parameters
        precondition(current.count == parameters.count)
        let decay = decay(atStep: step)
        let rest = 1 - decay
        parameters.withUnsafeMutableBufferPointer { average in
            for index in range ?? 0..<average.count { average[index] = decay * average[index] + rest * current[index] }
        }
    }

    /// Restarts the average from the model's current parameters.
    func restart(from model: Model) {
        _ = parameters.withUnsafeMutableBufferPointer { $0.update(fromContentsOf: model.executor.parameters) }
    }

    /// Continues from a checkpoint's θ̄.
    /// - Throws: `ExponentialMovingAverageError.lengthMismatch` when it is not this model's.
    func restore(_ values: [Float]) throws {
        guard values.count == parameters.count else {
            throw ExponentialMovingAverageError.lengthMismatch(expected: parameters.count, found: values.count)
        }
        parameters = values
    }

    /// Runs `body` with the model's parameters replaced by θ̄, and puts the live ones back after.
    func withAveragedParameters<Result>(of model: Model, _ body: () throws -> Result) rethrows -> Result {
        let arena = model.executor.parameters
        _ = live.withUnsafeMutableBufferPointer { $0.update(fromContentsOf: arena) }
        _ = arena.update(fromContentsOf: parameters)
        defer { _ = arena.update(fromContentsOf: live) }
        return try body()
    }
}

enum ExponentialMovingAverageError: Error, CustomStringConvertible {
    case lengthMismatch(expected: Int, found: Int)

    var description: String {
        switch self {
        case .lengthMismatch(let expected, let found):
            return "the checkpoint's parameter average (ema.parameters) has \(found) values but the model has \(expected) "
                + "parameters: the checkpoint belongs to another model"
        }
    }
}

extension Optional where Wrapped == ExponentialMovingAverage {
    /// `body` with the averaged weights when there is an average, else with the live ones.
    func withEvaluatedParameters<Result>(of model: Model, _ body: () throws -> Result) rethrows -> Result {
        switch self {
        case .some(let average): try average.withAveragedParameters(of: model, body)
        case .none: try body()
        }
    }
}

import Foundation

/// Updates the flat parameter arena from the flat gradient arena, in place.
///
/// Optimizers own their per-parameter state (moments, momentum buffers), allocated once at
/// construction for a fixed parameter count, so `step` allocates nothing.
public protocol Optimizer: AnyObject {
    /// Set by the learning-rate schedule between steps.
    var learningRate: Float { get set }
    /// Steps taken so far (Adam's bias correction depends on it).
    var stepCount: Int { get }
    /// One update of the parameters in `range` (the others, a frozen backbone's, and their
    /// per-parameter state stay exactly as they are): parameters and gradients have the count
    /// the optimizer was built for.
    func step(parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeMutableBufferPointer<Float>, updating range: Range<Int>)
    /// Everything needed to continue exactly where this optimizer is, for checkpoints.
    var state: OptimizerState { get }
    /// Continues from a checkpoint's state; throws if it belongs to another optimizer or model.
    func restore(_ state: OptimizerState) throws
}

extension Optimizer {
    /// One update of every parameter.
    public func step(parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeMutableBufferPointer<Float>) {
        step(parameters: parameters, gradients: gradients, updating: 0..<parameters.count)
    }
}

/// An optimizer's checkpointable state: the step count and named per-parameter tensors
/// (PyTorch's names: "exp_avg", "exp_avg_sq", "momentum_buffer"), each as long as the
/// parameter arena.
public struct OptimizerState: Sendable, Equatable {
    public var stepCount: Int
    public var tensors: [String: [Float]]

    public init(stepCount: Int, tensors: [String: [Float]]) {
        self.stepCount = stepCount
        self.tensors = tensors
    }
}

public enum OptimizerStateError: Error, CustomStringConvertible {
    case tensorNames(expected: [String], found: [String])
    case tensorLength(name: String, expected: Int, found: Int)
    case negativeStepCount(Int)

    public var description: String {
        switch self {
        case .tensorNames(let expected, let found):
            return "optimizer state holds tensors \(found) but this optimizer needs \(expected): "
                + "the checkpoint was written by another optimizer; resume with the optimizer that wrote it"
        case .tensorLength(let name, let expected, let found):
            return "optimizer state tensor '\(name)' has \(found) values but the model has \(expected) "
                + "parameters: the checkpoint belongs to another model or configuration"
        case .negativeStepCount(let count):
            return "optimizer state has a negative step count (\(count)): the checkpoint is corrupt"
        }
    }
}

/// Per-parameter buffers of one optimizer, zero at first, exported and restored by name.
final class OptimizerBuffers {
    let names: [String]
    let count: Int
    private let storage: UnsafeMutableBufferPointer<Float>

    init(names: [String], count: Int) {
        self.names = names
        self.count = count
        storage = .allocate(capacity: max(1, names.count * count))
        storage.initialize(repeating: 0)
    }

    deinit { storage.deallocate() }

    subscript(index: Int) -> UnsafeMutablePointer<Float> { storage.baseAddress! + index * count }

    var tensors: [String: [Float]] {
        Dictionary(uniqueKeysWithValues: names.enumerated().map { index, name in
            (name, Array(UnsafeBufferPointer(start: self[index], count: count)))
        })
    }

    func restore(_ state: OptimizerState) throws {
        guard Set(state.tensors.keys) == Set(names) else {
            throw OptimizerStateError.tensorNames(expected: names, found: state.tensors.keys.sorted())
        }
        guard state.stepCount >= 0 else { throw OptimizerStateError.negativeStepCount(state.stepCount) }
        for name in names where state.tensors[name]!.count != count {
            throw OptimizerStateError.tensorLength(name: name, expected: count, found: state.tensors[name]!.count)
        }
        for (index, name) in names.enumerated() { self[index].update(from: state.tensors[name]!, count: count) }
    }
}

/// Adam (Kingma and Ba 2015) with bias correction, as torch.optim.Adam, or AdamW.
///
/// Weight decay is L2 by default (added to the gradient before the moments, torch.optim.Adam's
/// `weight_decay`), so it means the same as in `SGD`. With `decoupledWeightDecay` it is
/// AdamW's (Loshchilov and Hutter 2019, torch.optim.AdamW): θ ← θ·(1 − lr·λ) before the Adam
/// update, which sees the plain gradient, so the decay is not rescaled by the moments.
public final class Adam: Optimizer {
    public var learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    public let weightDecay: Float
    public let decoupledWeightDecay: Bool
    public private(set) var stepCount = 0
    private let moments: OptimizerBuffers   // [0] first moment m, [1] second moment v

    public init(
        parameterCount: Int, learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
        epsilon: Float = 1e-8, weightDecay: Float = 0, decoupledWeightDecay: Bool = false
    ) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
        moments = OptimizerBuffers(names: ["exp_avg", "exp_avg_sq"], count: parameterCount)
    }

    public func step(parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeMutableBufferPointer<Float>, updating range: Range<Int>) {
        precondition(parameters.count == moments.count && gradients.count == moments.count && range.upperBound <= moments.count,
                     "Adam built for \(moments.count) parameters, stepped with \(parameters.count)")
        stepCount += 1
        // θ -= lr/(1-β1^t) · m / (sqrt(v)/sqrt(1-β2^t) + ε), torch.optim.Adam's arrangement.
        let step = Float(stepCount)
        let stepSize = learningRate / (1 - pow(beta1, step))
        let secondCorrection = (1 - pow(beta2, step)).squareRoot()
        let m = moments[0], v = moments[1]
        let (beta1, beta2, epsilon) = (beta1, beta2, epsilon)
        // Exactly one of the two decays is not the identity (L2 0, shrink 1).
        let l2 = decoupledWeightDecay ? 0 : weightDecay
        let shrink = decoupledWeightDecay ? 1 - learningRate * weightDecay : 1
        let theta = parameters.baseAddress!, g = gradients.baseAddress!
        // Written on vectors: the compiler leaves the loop scalar (four arrays that may alias,
        // and a square root it must be able to hand to libm for errno), and then the
        // arithmetic costs several times the memory traffic.
        @inline(__always)
        func update<Lanes: AdamLanes>(_: Lanes.Type, at i: Int) {
            let parameter = Lanes(loadingFrom: theta + i)
            let gradient = Lanes(loadingFrom: g + i) + Lanes(repeating: l2) * parameter
            let first = Lanes(repeating: beta1) * Lanes(loadingFrom: m + i) + Lanes(repeating: 1 - beta1) * gradient
            let second = Lanes(repeating: beta2) * Lanes(loadingFrom: v + i)
                + Lanes(repeating: 1 - beta2) * gradient * gradient
            first.store(to: m + i)
            second.store(to: v + i)
            (Lanes(repeating: shrink) * parameter - Lanes(repeating: stepSize) * first
                / (second.squareRoot() / Lanes(repeating: secondCorrection) + Lanes(repeating: epsilon)))
                .store(to: theta + i)
        }
        var i = range.lowerBound
        while i + 8 <= range.upperBound { update(SIMD8<Float>.self, at: i); i += 8 }
        while i < range.upperBound { update(Float.self, at: i); i += 1 }
    }

    public var state: OptimizerState { OptimizerState(stepCount: stepCount, tensors: moments.tensors) }

    public func restore(_ state: OptimizerState) throws {
        try moments.restore(state)
        stepCount = state.stepCount
    }
}

/// Values Adam's update runs on: eight parameters at once, or one left over.
protocol AdamLanes: ChannelLanes {
    static func / (left: Self, right: Self) -> Self
    func squareRoot() -> Self
}

extension SIMD8: AdamLanes where Scalar == Float {}

extension Float: AdamLanes {}

/// Stochastic gradient descent with momentum, optionally Nesterov's, as torch.optim.SGD
/// (no dampening): b = μ·b + g; θ -= lr·(g + μ·b) with Nesterov, θ -= lr·b without.
/// Weight decay is L2: g = ∇ + λ·θ.
public final class SGD: Optimizer {
    public var learningRate: Float
    public let momentum: Float
    public let nesterov: Bool
    public let weightDecay: Float
    public private(set) var stepCount = 0
    private let buffers: OptimizerBuffers   // [0] momentum buffer b

    public init(
        parameterCount: Int, learningRate: Float, momentum: Float = 0, nesterov: Bool = false,
        weightDecay: Float = 0
    ) {
        precondition(!nesterov || momentum > 0, "Nesterov momentum needs a momentum above 0")
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        buffers = OptimizerBuffers(names: momentum > 0 ? ["momentum_buffer"] : [], count: parameterCount)
    }

    public func step(parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeMutableBufferPointer<Float>, updating range: Range<Int>) {
        precondition(parameters.count == buffers.count && gradients.count == buffers.count && range.upperBound <= buffers.count,
                     "SGD built for \(buffers.count) parameters, stepped with \(parameters.count)")
        stepCount += 1
        let (learningRate, momentum, weightDecay) = (learningRate, momentum, weightDecay)
        guard momentum > 0 else {
            for i in range { parameters[i] -= learningRate * (gradients[i] + weightDecay * parameters[i]) }
            return
        }
        let b = buffers[0]
        for i in range {
            let gradient = gradients[i] + weightDecay * parameters[i]
            b[i] = momentum * b[i] + gradient
            parameters[i] -= learningRate * (nesterov ? gradient + momentum * b[i] : b[i])
        }
    }

    public var state: OptimizerState { OptimizerState(stepCount: stepCount, tensors: buffers.tensors) }

    public func restore(_ state: OptimizerState) throws {
        try buffers.restore(state)
        stepCount = state.stepCount
    }
}

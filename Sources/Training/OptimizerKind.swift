import Engine

/// The optimizers of `--optimizer`.
public enum OptimizerKind: String, CaseIterable, Sendable {
    /// Adam (Kingma and Ba 2015), the paper's optimizer.
    case adam
    /// Stochastic gradient descent with momentum.
    case sgd
    /// Adam with decoupled weight decay (Loshchilov and Hutter 2019).
    case adamw

    /// Vectors of the parameters' size the optimizer keeps: Adam's two moments, SGD's velocity.
    var stateVectors: Int {
        switch self {
        case .adam, .adamw: 2
        case .sgd: 1
        }
    }

    /// A fresh optimizer of this kind over `parameterCount` parameters.
    /// - Parameter momentum: used by SGD only.
    func makeOptimizer(parameterCount: Int, learningRate: Float, momentum: Float, weightDecay: Float) -> any Optimizer {
        switch self {
        case .adam: Adam(parameterCount: parameterCount, learningRate: learningRate, weightDecay: weightDecay)
        case .sgd: SGD(parameterCount: parameterCount, learningRate: learningRate, momentum: momentum, weightDecay: weightDecay)
        case .adamw:
            Adam(parameterCount: parameterCount, learningRate: learningRate, weightDecay: weightDecay, decoupledWeightDecay: true)
        }
    }
}

import Support

/// How a parameter is filled before training, following the reference implementations.
public enum Initializer: Sendable, Equatable {
    case zeros
    case ones
    /// N(0, std²).
    case normal(std: Float)
    /// U(-bound, bound).
    case uniform(bound: Float)
    /// Kaiming normal, mode fan-out, ReLU gain: N(0, 2 / fanOut) (torchvision's convolutions).
    /// As in PyTorch, fanOut = out channels · kh · kw, not divided by groups.
    case kaimingNormalFanOut(fanOut: Int)

    public func fill(_ values: UnsafeMutableBufferPointer<Float>, using generator: inout SplitMix64) {
        switch self {
        case .zeros: values.update(repeating: 0)
        case .ones: values.update(repeating: 1)
        case .normal(let std):
            for i in values.indices { values[i] = std * generator.nextNormal() }
        case .uniform(let bound):
            for i in values.indices { values[i] = bound * (2 * generator.nextUniform() - 1) }
        case .kaimingNormalFanOut(let fanOut):
            let std = (2 / Float(max(1, fanOut))).squareRoot()
            for i in values.indices { values[i] = std * generator.nextNormal() }
        }
    }
}

/// A tensor an operation owns: learned (`trainable`, with a gradient) or state such as batch
/// normalisation's running statistics (saved with the model, never differentiated).
public struct ParameterSpec: Sendable, Equatable {
    /// Local name, e.g. "weight", "bias", "running_mean".
    public var name: String
    /// Shape as saved, outermost first (a convolution's weight is [out, kh, kw, in/groups]).
    public var shape: [Int]
    public var initializer: Initializer
    public var trainable: Bool

    public init(_ name: String, shape: [Int], initializer: Initializer, trainable: Bool = true) {
        self.name = name
        self.shape = shape
        self.initializer = initializer
        self.trainable = trainable
    }

    public var elementCount: Int { shape.reduce(1, *) }
}

/// Where a named parameter lives in a model's flat arenas.
public struct ParameterEntry: Sendable, Equatable {
    /// Full, stable name, e.g. "features.3.block.1.0.weight" (torchvision's naming).
    public var name: String
    public var shape: [Int]
    public var trainable: Bool
    /// Offset into the trainable arena (parameters and gradients) or into the state arena.
    public var offset: Int
    public var elementCount: Int { shape.reduce(1, *) }
}

/// The pointwise nonlinearities the four networks use.
public enum ActivationFunction: String, Sendable, CaseIterable {
    case relu
    case relu6
    /// x·relu6(x+3)/6 (MobileNet-V3).
    case hardSwish
    /// relu6(x+3)/6 (MobileNet-V3's squeeze-and-excitation gate).
    case hardSigmoid
    /// x·sigmoid(x), also called swish (EfficientNet).
    case silu
    case sigmoid
}

/// A pointwise activation; backward reads the forward input, so nothing extra is saved.
public final class Activation: Operation {
    public let inputShapes: [TensorShape]
    public let outputShape: TensorShape
    public let function: ActivationFunction

    public init(inputShape: TensorShape, function: ActivationFunction) {
        inputShapes = [inputShape]
        outputShape = inputShape
        self.function = function
    }

    public var kind: OperationKind { .activation }

    public func forward(_ io: OperationIO, _ context: RunContext) {
        fatalError("Activation.forward: not implemented yet")
    }

    public func backward(_ io: OperationIO, _ context: RunContext) {
        fatalError("Activation.backward: not implemented yet")
    }
}

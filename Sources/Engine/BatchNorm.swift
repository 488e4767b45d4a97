/// Batch normalisation over N, H, W per channel, with learned scale and shift.
///
/// Training mode normalises with the batch's mean and biased variance and updates the running
/// statistics with `momentum` (PyTorch's convention: running = (1-m)·running + m·batch, the
/// running variance using the unbiased batch variance). Inference mode uses the running ones.
public final class BatchNorm: Operation {
    public let inputShapes: [TensorShape]
    public let outputShape: TensorShape
    public let epsilon: Float
    public let momentum: Float
    public let parameterSpecs: [ParameterSpec]

    public init(inputShape: TensorShape, epsilon: Float = 1e-5, momentum: Float = 0.1) {
        let channels = inputShape.channels
        inputShapes = [inputShape]
        outputShape = inputShape
        self.epsilon = epsilon
        self.momentum = momentum
        parameterSpecs = [
            ParameterSpec("weight", shape: [channels], initializer: .ones),
            ParameterSpec("bias", shape: [channels], initializer: .zeros),
            ParameterSpec("running_mean", shape: [channels], initializer: .zeros, trainable: false),
            ParameterSpec("running_var", shape: [channels], initializer: .ones, trainable: false),
        ]
    }

    public var kind: OperationKind { .batchNorm }

    public func multiplyAccumulates(batch: Int) -> Int { batch * outputShape.elementCount }

    public func forward(_ io: OperationIO, _ context: RunContext) {
        fatalError("BatchNorm.forward: not implemented yet")
    }

    public func backward(_ io: OperationIO, _ context: RunContext) {
        fatalError("BatchNorm.backward: not implemented yet")
    }
}

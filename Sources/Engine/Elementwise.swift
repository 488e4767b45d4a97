/// Elementwise sum of two tensors of the same shape (residual connections).
public final class Add: Operation {
    public let inputShapes: [TensorShape]
    public let outputShape: TensorShape

    public init(shape: TensorShape) {
        inputShapes = [shape, shape]
        outputShape = shape
    }

    public var kind: OperationKind { .elementwise }

    public func forward(_ io: OperationIO, _ context: RunContext) {
        fatalError("Add.forward: not implemented yet")
    }

    public func backward(_ io: OperationIO, _ context: RunContext) {
        fatalError("Add.backward: not implemented yet")
    }
}

/// x (H, W, C) times a per-sample, per-channel scale s (1, 1, C): squeeze-and-excitation.
/// Inputs: [x, s].
public final class ChannelScale: Operation {
    public let inputShapes: [TensorShape]
    public let outputShape: TensorShape

    public init(inputShape: TensorShape) {
        inputShapes = [inputShape, .vector(inputShape.channels)]
        outputShape = inputShape
    }

    public var kind: OperationKind { .elementwise }

    public func multiplyAccumulates(batch: Int) -> Int { batch * outputShape.elementCount }

    public func forward(_ io: OperationIO, _ context: RunContext) {
        fatalError("ChannelScale.forward: not implemented yet")
    }

    public func backward(_ io: OperationIO, _ context: RunContext) {
        fatalError("ChannelScale.backward: not implemented yet")
    }
}

/// Max pooling over k x k windows (padding never wins: padded cells count as -inf).
public final class MaxPool: Operation {
    public let inputShapes: [TensorShape]
    public let outputShape: TensorShape
    public let kernelSize: Int
    public let stride: Int
    public let padding: Int

    public init(inputShape: TensorShape, kernelSize: Int, stride: Int, padding: Int = 0) {
        inputShapes = [inputShape]
        outputShape = TensorShape(
            height: convolutionOutputSize(inputShape.height, kernel: kernelSize, stride: stride, padding: padding),
            width: convolutionOutputSize(inputShape.width, kernel: kernelSize, stride: stride, padding: padding),
            channels: inputShape.channels)
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
    }

    public var kind: OperationKind { .pooling }

    public func forward(_ io: OperationIO, _ context: RunContext) {
        fatalError("MaxPool.forward: not implemented yet")
    }

    public func backward(_ io: OperationIO, _ context: RunContext) {
        fatalError("MaxPool.backward: not implemented yet")
    }
}

/// Average pooling over k x k windows; padded cells count in the divisor
/// (PyTorch's default, count_include_pad = true).
public final class AveragePool: Operation {
    public let inputShapes: [TensorShape]
    public let outputShape: TensorShape
    public let kernelSize: Int
    public let stride: Int
    public let padding: Int

    public init(inputShape: TensorShape, kernelSize: Int, stride: Int, padding: Int = 0) {
        inputShapes = [inputShape]
        outputShape = TensorShape(
            height: convolutionOutputSize(inputShape.height, kernel: kernelSize, stride: stride, padding: padding),
            width: convolutionOutputSize(inputShape.width, kernel: kernelSize, stride: stride, padding: padding),
            channels: inputShape.channels)
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
    }

    public var kind: OperationKind { .pooling }

    public func forward(_ io: OperationIO, _ context: RunContext) {
        fatalError("AveragePool.forward: not implemented yet")
    }

    public func backward(_ io: OperationIO, _ context: RunContext) {
        fatalError("AveragePool.backward: not implemented yet")
    }
}

/// Mean over H and W per channel: (H, W, C) -> (1, 1, C). The networks' embedding.
public final class GlobalAveragePool: Operation {
    public let inputShapes: [TensorShape]
    public let outputShape: TensorShape

    public init(inputShape: TensorShape) {
        inputShapes = [inputShape]
        outputShape = .vector(inputShape.channels)
    }

    public var kind: OperationKind { .pooling }

    public func forward(_ io: OperationIO, _ context: RunContext) {
        fatalError("GlobalAveragePool.forward: not implemented yet")
    }

    public func backward(_ io: OperationIO, _ context: RunContext) {
        fatalError("GlobalAveragePool.backward: not implemented yet")
    }
}

/// Output size of a convolution or pooling window along one axis (PyTorch's floor rule).
@inlinable
public func convolutionOutputSize(_ input: Int, kernel: Int, stride: Int, padding: Int) -> Int {
    (input + 2 * padding - kernel) / stride + 1
}

/// k x k convolution with stride, zero padding and groups, over NHWC tensors.
///
/// Weight layout [out, kh, kw, in/groups] (OHWI, as MLX): one row per output channel, so the
/// forward pass is im2col (N·Ho·Wo x kh·kw·in) times the transposed weight, and a 1x1
/// convolution with stride 1 is a single SGEMM over the whole batch with no im2col.
public final class Convolution: Operation {
    public let inputShapes: [TensorShape]
    public let outputShape: TensorShape
    public let kernelSize: Int
    public let stride: Int
    public let padding: Int
    public let groups: Int
    public let hasBias: Bool
    public let parameterSpecs: [ParameterSpec]

    public init(
        inputShape: TensorShape, outputChannels: Int, kernelSize: Int, stride: Int = 1,
        padding: Int = 0, groups: Int = 1, bias: Bool = false,
        weightInitializer: Initializer? = nil, biasInitializer: Initializer = .zeros
    ) {
        precondition(inputShape.channels % groups == 0 && outputChannels % groups == 0,
                     "channels \(inputShape.channels)->\(outputChannels) not divisible by \(groups) groups")
        inputShapes = [inputShape]
        outputShape = TensorShape(
            height: convolutionOutputSize(inputShape.height, kernel: kernelSize, stride: stride, padding: padding),
            width: convolutionOutputSize(inputShape.width, kernel: kernelSize, stride: stride, padding: padding),
            channels: outputChannels)
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.groups = groups
        self.hasBias = bias
        let inPerGroup = inputShape.channels / groups
        var specs = [ParameterSpec(
            "weight", shape: [outputChannels, kernelSize, kernelSize, inPerGroup],
            initializer: weightInitializer
                ?? .kaimingNormalFanOut(fanOut: outputChannels * kernelSize * kernelSize / groups))]
        if bias { specs.append(ParameterSpec("bias", shape: [outputChannels], initializer: biasInitializer)) }
        parameterSpecs = specs
    }

    public var kind: OperationKind { kernelSize == 1 ? .convolution1x1 : .convolutionKxK }

    public func multiplyAccumulates(batch: Int) -> Int {
        batch * outputShape.height * outputShape.width * outputShape.channels
            * kernelSize * kernelSize * (inputShapes[0].channels / groups)
    }

    public func forward(_ io: OperationIO, _ context: RunContext) {
        fatalError("Convolution.forward: not implemented yet")
    }

    public func backward(_ io: OperationIO, _ context: RunContext) {
        fatalError("Convolution.backward: not implemented yet")
    }
}

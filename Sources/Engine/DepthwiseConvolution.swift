/// Depthwise k x k convolution (groups = channels, one filter per channel), NHWC.
///
/// Weight layout [channels, kh, kw, 1], the same as a grouped `Convolution` with
/// groups = channels, so checkpoints do not depend on which kernel ran. The loops run over
/// channels innermost, where NHWC makes them contiguous and vectorisable.
public final class DepthwiseConvolution: Operation {
    public let inputShapes: [TensorShape]
    public let outputShape: TensorShape
    public let kernelSize: Int
    public let stride: Int
    public let padding: Int
    public let hasBias: Bool
    public let parameterSpecs: [ParameterSpec]

    public init(
        inputShape: TensorShape, kernelSize: Int, stride: Int = 1, padding: Int = 0,
        bias: Bool = false, weightInitializer: Initializer? = nil, biasInitializer: Initializer = .zeros
    ) {
        let channels = inputShape.channels
        inputShapes = [inputShape]
        outputShape = TensorShape(
            height: convolutionOutputSize(inputShape.height, kernel: kernelSize, stride: stride, padding: padding),
            width: convolutionOutputSize(inputShape.width, kernel: kernelSize, stride: stride, padding: padding),
            channels: channels)
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.hasBias = bias
        var specs = [ParameterSpec(
            "weight", shape: [channels, kernelSize, kernelSize, 1],
            initializer: weightInitializer ?? .kaimingNormalFanOut(fanOut: kernelSize * kernelSize))]
        if bias { specs.append(ParameterSpec("bias", shape: [channels], initializer: biasInitializer)) }
        parameterSpecs = specs
    }

    public var kind: OperationKind { .depthwiseConvolution }

    public func multiplyAccumulates(batch: Int) -> Int {
        batch * outputShape.elementCount * kernelSize * kernelSize
    }

    public func forward(_ io: OperationIO, _ context: RunContext) {
        fatalError("DepthwiseConvolution.forward: not implemented yet")
    }

    public func backward(_ io: OperationIO, _ context: RunContext) {
        fatalError("DepthwiseConvolution.backward: not implemented yet")
    }
}

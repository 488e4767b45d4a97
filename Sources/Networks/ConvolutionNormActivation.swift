import Engine

/// How a reference network fills its convolution weights before training.
public enum ConvolutionInitialization: Sendable {
    /// `kaiming_normal_(mode="fan_out")`: N(0, 2 / fan_out) with PyTorch's fan_out =
    /// out·k·k, which does not divide by the groups (so a depthwise 3x3 over C channels gets
    /// fan_out = 9C). torchvision's MobileNet-V3 and EfficientNet, and PeleeNet, use it.
    case kaimingNormalFanOut
    /// PyTorch's default for `nn.Conv2d` (kaiming_uniform with a = √5): U(±1/√fan_in),
    /// fan_in = in/groups·k·k. torchvision's ShuffleNet-V2 keeps it.
    case pytorchDefault

    func weightInitializer(inputChannels: Int, outputChannels: Int, kernelSize: Int, groups: Int) -> Initializer {
        switch self {
        case .kaimingNormalFanOut:
            return .kaimingNormalFanOut(fanOut: outputChannels * kernelSize * kernelSize)
        case .pytorchDefault:
            let fanIn = inputChannels / groups * kernelSize * kernelSize
            return .uniform(bound: 1 / Float(fanIn).squareRoot())
        }
    }
}

/// Batch normalisation's ε and momentum (PyTorch's convention for the momentum).
public struct BatchNormSettings: Sendable {
    public var epsilon: Float
    public var momentum: Float

    public init(epsilon: Float, momentum: Float) {
        self.epsilon = epsilon
        self.momentum = momentum
    }

    /// `nn.BatchNorm2d`'s defaults.
    public static let pytorchDefault = BatchNormSettings(epsilon: 1e-5, momentum: 0.1)
}

extension GraphBuilder {
    /// A bias-free convolution, batch normalisation and an optional activation: torchvision's
    /// `Conv2dNormActivation` and PeleeNet's `BasicConv2d`. The convolution's parameters are
    /// named `names.convolution`, the normalisation's `names.norm`, in the current scope
    /// ("0" and "1" in an `nn.Sequential`, "conv" and "norm" in PeleeNet). Padding keeps the
    /// size at stride 1: (k - 1) / 2.
    func convolutionNormActivation(
        _ x: NodeID, outputChannels: Int, kernelSize: Int, stride: Int = 1, groups: Int = 1,
        normalization: BatchNormSettings, activation: ActivationFunction?,
        initialization: ConvolutionInitialization,
        names: (convolution: String, norm: String) = ("0", "1")
    ) -> NodeID {
        let initializer = initialization.weightInitializer(
            inputChannels: shape(of: x).channels, outputChannels: outputChannels,
            kernelSize: kernelSize, groups: groups)
        let y = convolution(
            x, outputChannels: outputChannels, kernelSize: kernelSize, stride: stride, groups: groups,
            weightInitializer: initializer, name: names.convolution)
        return batchNorm(
            y, epsilon: normalization.epsilon, momentum: normalization.momentum, activation: activation,
            name: names.norm)
    }
}

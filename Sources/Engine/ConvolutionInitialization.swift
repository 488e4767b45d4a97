/// How a reference network fills its convolution weights before training; a `GraphBuilder`
/// applies one to every convolution it is not given an initializer for.
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

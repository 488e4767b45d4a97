import Engine

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
    /// `Conv2dNormActivation` and PeleeNet's `BasicConv2d`. In a sequential scope the three
    /// take its next indices, as the modules of an `nn.Sequential` ("0", "1", and "2" for the
    /// activation, which has no parameters); `names` names the convolution and the
    /// normalisation instead ("conv" and "norm" in PeleeNet). Padding keeps the size at
    /// stride 1: (k - 1) / 2.
    func convolutionNormActivation(
        _ x: NodeID, outputChannels: Int, kernelSize: Int, stride: Int = 1, groups: Int = 1,
        normalization: BatchNormSettings, activation: ActivationFunction?,
        names: (convolution: String, norm: String)? = nil
    ) -> NodeID {
        let y = convolution(
            x, outputChannels: outputChannels, kernelSize: kernelSize, stride: stride, groups: groups,
            name: names?.convolution)
        return batchNorm(
            y, epsilon: normalization.epsilon, momentum: normalization.momentum, activation: activation,
            name: names?.norm)
    }
}

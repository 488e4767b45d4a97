import Engine

extension GraphBuilder {
    /// Squeeze-and-excitation (Hu et al., 2018) as torchvision's `SqueezeExcitation`:
    /// x · gate(fc2(activation(fc1(mean over H, W of x)))), fc1 and fc2 being 1x1
    /// convolutions with bias, named "fc1" and "fc2" in the current scope.
    func squeezeExcitation(
        _ x: NodeID, squeezeChannels: Int, activation: ActivationFunction, gate: ActivationFunction,
        initialization: ConvolutionInitialization
    ) -> NodeID {
        let channels = shape(of: x).channels
        func pointwise(_ input: NodeID, outputChannels: Int, name: String) -> NodeID {
            convolution(
                input, outputChannels: outputChannels, kernelSize: 1, bias: true,
                weightInitializer: initialization.weightInitializer(
                    inputChannels: shape(of: input).channels, outputChannels: outputChannels, kernelSize: 1, groups: 1),
                name: name)
        }
        var scale = globalAveragePool(x)
        scale = self.activation(pointwise(scale, outputChannels: squeezeChannels, name: "fc1"), activation)
        scale = self.activation(pointwise(scale, outputChannels: channels, name: "fc2"), gate)
        return channelScale(x, by: scale)
    }
}

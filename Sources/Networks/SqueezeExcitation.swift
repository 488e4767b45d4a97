import Engine

extension GraphBuilder {
    /// Squeeze-and-excitation (Hu et al., 2018) as torchvision's `SqueezeExcitation`:
    /// x · gate(fc2(activation(fc1(mean over H, W of x)))), fc1 and fc2 being 1x1
    /// convolutions with bias, named "fc1" and "fc2" in the current scope.
    func squeezeExcitation(
        _ x: NodeID, squeezeChannels: Int, activation: ActivationFunction, gate: ActivationFunction
    ) -> NodeID {
        let channels = shape(of: x).channels
        var scale = globalAveragePool(x)
        scale = convolution(scale, outputChannels: squeezeChannels, kernelSize: 1, bias: true, name: "fc1")
        scale = self.activation(scale, activation)
        scale = convolution(scale, outputChannels: channels, kernelSize: 1, bias: true, name: "fc2")
        scale = self.activation(scale, gate)
        return channelScale(x, by: scale)
    }
}

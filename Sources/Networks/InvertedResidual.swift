import Engine

/// The squeeze-and-excitation step of an inverted residual block.
struct SqueezeExcitationSettings {
    var squeezeChannels: Int
    var activation: ActivationFunction
    var gate: ActivationFunction
}

extension GraphBuilder {
    /// The inverted residual block of MobileNet-V2/V3, which EfficientNet calls MBConv, as
    /// torchvision builds both: a 1x1 expansion (left out when the width does not change), a
    /// depthwise k x k convolution carrying the stride, optional squeeze-and-excitation, a
    /// linear 1x1 projection, and the identity shortcut when stride 1 keeps the width.
    ///
    /// The layers are named as torchvision's `block` Sequential: "block.0", "block.1", ...
    /// in the current scope.
    func invertedResidual(
        _ x: NodeID, expandedChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int,
        activation: ActivationFunction, squeezeExcitation: SqueezeExcitationSettings?,
        normalization: BatchNormSettings
    ) -> NodeID {
        let inputChannels = shape(of: x).channels
        let y = sequential("block") {
            var y = x
            if expandedChannels != inputChannels {
                y = sequential {
                    convolutionNormActivation(
                        y, outputChannels: expandedChannels, kernelSize: 1,
                        normalization: normalization, activation: activation)
                }
            }
            y = sequential {
                convolutionNormActivation(
                    y, outputChannels: expandedChannels, kernelSize: kernelSize, stride: stride,
                    groups: expandedChannels, normalization: normalization, activation: activation)
            }
            if let settings = squeezeExcitation {
                y = scope {
                    self.squeezeExcitation(
                        y, squeezeChannels: settings.squeezeChannels, activation: settings.activation,
                        gate: settings.gate)
                }
            }
            return sequential {
                convolutionNormActivation(
                    y, outputChannels: outputChannels, kernelSize: 1,
                    normalization: normalization, activation: nil)
            }
        }
        return stride == 1 && inputChannels == outputChannels ? add(y, x) : y
    }
}

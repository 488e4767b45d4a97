/// One method per operation, so network builders read like their reference layer tables.
/// `name` is the last part of the parameters' names ("0" in "features.0.0.weight"); in a
/// sequential scope a layer without one takes the next index, as each would be a module of
/// PyTorch's `nn.Sequential`, with or without parameters. Operations PyTorch writes as
/// functions (addition, concatenation, slicing, shuffling, scaling) take none.
extension GraphBuilder {
    /// A convolution; groups equal to input and output channels selects the depthwise kernel.
    /// Without `weightInitializer` the weights follow the builder's `convolutionInitialization`.
    public func convolution(
        _ x: NodeID, outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int? = nil,
        groups: Int = 1, bias: Bool = false, weightInitializer: Initializer? = nil,
        biasInitializer: Initializer = .zeros, name: String? = nil
    ) -> NodeID {
        let inputShape = shape(of: x)
        let padding = padding ?? (kernelSize - 1) / 2
        let name = layerName(name)
        let weightInitializer = weightInitializer ?? convolutionInitialization.weightInitializer(
            inputChannels: inputShape.channels, outputChannels: outputChannels, kernelSize: kernelSize, groups: groups)
        if groups > 1 && groups == inputShape.channels && groups == outputChannels {
            return add(DepthwiseConvolution(
                inputShape: inputShape, kernelSize: kernelSize, stride: stride, padding: padding,
                bias: bias, weightInitializer: weightInitializer, biasInitializer: biasInitializer),
                inputs: [x], name: name)
        }
        return add(Convolution(
            inputShape: inputShape, outputChannels: outputChannels, kernelSize: kernelSize,
            stride: stride, padding: padding, groups: groups, bias: bias,
            weightInitializer: weightInitializer, biasInitializer: biasInitializer),
            inputs: [x], name: name)
    }

    /// Batch normalisation, followed by `activation` fused into the same operation when given.
    public func batchNorm(
        _ x: NodeID, epsilon: Float = 1e-5, momentum: Float = 0.1, activation: ActivationFunction? = nil,
        name: String? = nil
    ) -> NodeID {
        add(BatchNorm(inputShape: shape(of: x), epsilon: epsilon, momentum: momentum, activation: activation),
            inputs: [x], name: layerName(name, modules: activation == nil ? 1 : 2))
    }

    public func activation(_ x: NodeID, _ function: ActivationFunction) -> NodeID {
        add(Activation(inputShape: shape(of: x), function: function), inputs: [x], name: layerName(nil))
    }

    public func relu(_ x: NodeID) -> NodeID { activation(x, .relu) }
    public func relu6(_ x: NodeID) -> NodeID { activation(x, .relu6) }
    public func hardSwish(_ x: NodeID) -> NodeID { activation(x, .hardSwish) }
    public func hardSigmoid(_ x: NodeID) -> NodeID { activation(x, .hardSigmoid) }
    public func silu(_ x: NodeID) -> NodeID { activation(x, .silu) }
    public func sigmoid(_ x: NodeID) -> NodeID { activation(x, .sigmoid) }

    public func maxPool(_ x: NodeID, kernelSize: Int, stride: Int, padding: Int = 0) -> NodeID {
        add(MaxPool(inputShape: shape(of: x), kernelSize: kernelSize, stride: stride, padding: padding),
            inputs: [x], name: layerName(nil))
    }

    public func averagePool(_ x: NodeID, kernelSize: Int, stride: Int, padding: Int = 0) -> NodeID {
        add(AveragePool(inputShape: shape(of: x), kernelSize: kernelSize, stride: stride, padding: padding),
            inputs: [x], name: layerName(nil))
    }

    public func globalAveragePool(_ x: NodeID) -> NodeID {
        add(GlobalAveragePool(inputShape: shape(of: x)), inputs: [x], name: layerName(nil))
    }

    public func linear(
        _ x: NodeID, outputFeatures: Int, bias: Bool = true,
        weightInitializer: Initializer? = nil, biasInitializer: Initializer? = nil, name: String? = nil
    ) -> NodeID {
        add(Linear(inputShape: shape(of: x), outputFeatures: outputFeatures, bias: bias,
                   weightInitializer: weightInitializer, biasInitializer: biasInitializer),
            inputs: [x], name: layerName(name))
    }

    /// Dropout; at probability 0 no operation, though the module still takes its index.
    public func dropout(_ x: NodeID, probability: Float) -> NodeID {
        let name = layerName(nil)
        return probability == 0 ? x : add(Dropout(inputShape: shape(of: x), probability: probability), inputs: [x], name: name)
    }

    public func concatenate(_ xs: [NodeID]) -> NodeID {
        add(Concatenate(inputShapes: xs.map { shape(of: $0) }), inputs: xs)
    }

    public func channelSlice(_ x: NodeID, _ range: Range<Int>) -> NodeID {
        add(ChannelSlice(inputShape: shape(of: x), range: range), inputs: [x])
    }

    public func channelShuffle(_ x: NodeID, groups: Int) -> NodeID {
        add(ChannelShuffle(inputShape: shape(of: x), groups: groups), inputs: [x])
    }

    /// The channel shuffle of the concatenation of `xs`, one per group, in one operation.
    public func channelShuffle(concatenating xs: [NodeID], groups: Int) -> NodeID {
        add(ChannelShuffle(concatenating: xs.map { shape(of: $0) }, groups: groups), inputs: xs)
    }

    public func add(_ a: NodeID, _ b: NodeID) -> NodeID {
        add(Add(shape: shape(of: a)), inputs: [a, b])
    }

    /// x scaled per channel by `scale` (1, 1, C): the end of a squeeze-and-excitation block.
    public func channelScale(_ x: NodeID, by scale: NodeID) -> NodeID {
        add(ChannelScale(inputShape: shape(of: x)), inputs: [x, scale])
    }
}

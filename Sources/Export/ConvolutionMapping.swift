import Engine

extension OnnxGraphBuilder {
    func addConvolution(_ convolution: Convolution, _ node: OnnxNodeContext) -> String {
        addConv(
            node, outputChannels: convolution.outputShape.channels, kernelHeight: convolution.kernelSize,
            kernelWidth: convolution.kernelSize, inputsPerGroup: convolution.inputShapes[0].channels / convolution.groups,
            stride: convolution.stride, padding: convolution.padding, groups: convolution.groups, hasBias: convolution.hasBias)
    }

    /// A depthwise convolution is a Conv with one group per channel; its weight
    /// [channels, kh, kw, 1] is OHWI with one input per group.
    func addDepthwiseConvolution(_ convolution: DepthwiseConvolution, _ node: OnnxNodeContext) -> String {
        let channels = convolution.outputShape.channels
        return addConv(
            node, outputChannels: channels, kernelHeight: convolution.kernelSize, kernelWidth: convolution.kernelSize,
            inputsPerGroup: 1, stride: convolution.stride, padding: convolution.padding, groups: channels,
            hasBias: convolution.hasBias)
    }

    /// A linear layer as a Conv whose kernel is its whole input: y = W x + b over the flattened
    /// sample, output (N, out, 1, 1) as every other tensor is 4-D, with no Flatten to undo.
    func addLinear(_ linear: Linear, _ node: OnnxNodeContext) -> String {
        let input = linear.inputShapes[0]
        return addConv(
            node, outputChannels: linear.outputShape.channels, kernelHeight: input.height, kernelWidth: input.width,
            inputsPerGroup: input.channels, stride: 1, padding: 0, groups: 1, hasBias: linear.hasBias)
    }

    private func addConv(
        _ node: OnnxNodeContext, outputChannels: Int, kernelHeight: Int, kernelWidth: Int, inputsPerGroup: Int,
        stride: Int, padding: Int, groups: Int, hasBias: Bool
    ) -> String {
        let weight = ConvolutionWeightLayout.oihw(
            fromOHWI: node.parameter("weight"), outputs: outputChannels, height: kernelHeight, width: kernelWidth, inputs: inputsPerGroup)
        var inputs = [
            node.inputs[0],
            floatInitializer(node.parameterName("weight"), dims: [outputChannels, inputsPerGroup, kernelHeight, kernelWidth], values: weight),
        ]
        if hasBias {
            inputs.append(floatInitializer(node.parameterName("bias"), dims: [outputChannels], values: node.parameter("bias")))
        }
        return self.node(
            "Conv", inputs: inputs, name: node.name,
            attributes: [
                .integers("kernel_shape", [kernelHeight, kernelWidth]), .integers("strides", [stride, stride]),
                .integers("pads", [padding, padding, padding, padding]), .integer("group", groups),
            ])
    }
}

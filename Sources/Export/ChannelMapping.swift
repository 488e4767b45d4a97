import Engine

extension OnnxGraphBuilder {
    /// Channels `range` of the input: a Slice on axis 1, the channel axis of NCHW.
    func addChannelSlice(_ slice: ChannelSlice, _ node: OnnxNodeContext) -> String {
        self.node(
            "Slice",
            inputs: [node.inputs[0], integerList([slice.range.lowerBound]), integerList([slice.range.upperBound]), integerList([1])],
            name: node.name)
    }

    /// The shuffle as the reference writes it: channels viewed as (groups, C/groups), those two
    /// axes swapped, flattened back. Several inputs are the groups, concatenated first.
    func addChannelShuffle(_ shuffle: ChannelShuffle, _ node: OnnxNodeContext) -> String {
        let output = shuffle.outputShape
        let groups = shuffle.groups
        let input = node.inputs.count == 1
            ? node.inputs[0] : self.node("Concat", inputs: node.inputs, name: node.name, attributes: [.integer("axis", 1)])
        // 0 keeps the batch size, which the model leaves free.
        let grouped = self.node(
            "Reshape", inputs: [input, integerList([0, groups, output.channels / groups, output.height, output.width])], name: node.name)
        let swapped = self.node("Transpose", inputs: [grouped], name: node.name, attributes: [.integers("perm", [0, 2, 1, 3, 4])])
        return self.node("Reshape", inputs: [swapped, integerList([0, output.channels, output.height, output.width])], name: node.name)
    }
}

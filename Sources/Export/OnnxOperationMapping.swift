import Engine

/// What an operation's mapping needs of its graph node: the tensors it reads, its parameters'
/// values and names, and a name for the ONNX nodes it adds.
struct OnnxNodeContext {
    /// The name of the ONNX nodes it becomes: the node's parameter scope (e.g. "features.0.1"),
    /// or one made from its index for a node without a scope.
    let name: String
    /// The ONNX tensors (NCHW) holding the node's inputs, in the order the operation was wired.
    let inputs: [String]
    /// The graph-wide name of a parameter a spec names, as the weights file has it
    /// (`GraphNode.parameterName`): the initializer's name.
    let parameterName: (_ spec: String) -> String
    /// The values of the parameter a spec names ("weight", "running_mean"), in the engine's layout.
    let parameter: (_ spec: String) -> [Float]
}

extension OnnxGraphBuilder {
    /// Adds the ONNX nodes that compute `operation` in inference mode (batch statistics and
    /// dropout off) and returns the name of the tensor holding its output, NCHW.
    func add(_ operation: any Operation, _ node: OnnxNodeContext) throws(OnnxExportError) -> String {
        switch operation {
        case let convolution as Convolution: addConvolution(convolution, node)
        case let depthwise as DepthwiseConvolution: addDepthwiseConvolution(depthwise, node)
        case let linear as Linear: addLinear(linear, node)
        case let batchNorm as BatchNorm: addBatchNorm(batchNorm, node)
        case let activation as Activation: addActivation(activation.function, input: node.inputs[0], name: node.name)
        case let pool as MaxPool: addMaxPool(pool, node)
        case let pool as AveragePool: addAveragePool(pool, node)
        case is GlobalAveragePool: self.node("GlobalAveragePool", inputs: node.inputs, name: node.name)
        case is Concatenate: self.node("Concat", inputs: node.inputs, name: node.name, attributes: [.integer("axis", 1)])
        case let slice as ChannelSlice: addChannelSlice(slice, node)
        case let shuffle as ChannelShuffle: addChannelShuffle(shuffle, node)
        case is Add: self.node("Add", inputs: node.inputs, name: node.name)
        // s is (N, C, 1, 1): ONNX broadcasting spreads it over H and W.
        case is ChannelScale: self.node("Mul", inputs: node.inputs, name: node.name)
        // The identity in inference mode: later nodes read the input itself.
        case is Dropout: node.inputs[0]
        default: throw .unmappedOperation(node: node.name, operation: String(describing: type(of: operation)))
        }
    }
}

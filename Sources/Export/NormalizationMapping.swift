import Engine

extension OnnxGraphBuilder {
    /// Batch normalisation with its running statistics, as BatchNormalization in inference
    /// mode, then the activation the engine fused into it, if any.
    func addBatchNorm(_ batchNorm: BatchNorm, _ node: OnnxNodeContext) -> String {
        let channels = batchNorm.outputShape.channels
        // ONNX's input order: scale, bias, mean, variance; the engine's names for them.
        let parameters = ["weight", "bias", "running_mean", "running_var"].map {
            floatInitializer(node.parameterName($0), dims: [channels], values: node.parameter($0))
        }
        let normalized = self.node(
            "BatchNormalization", inputs: [node.inputs[0]] + parameters, name: node.name,
            attributes: [.float("epsilon", batchNorm.epsilon)])
        guard let activation = batchNorm.activation else { return normalized }
        return addActivation(activation, input: normalized, name: node.name)
    }
}

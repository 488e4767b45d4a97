import Engine

extension OnnxGraphBuilder {
    /// Padded cells never win, in the engine and in ONNX's MaxPool alike.
    func addMaxPool(_ pool: MaxPool, _ node: OnnxNodeContext) -> String {
        self.node("MaxPool", inputs: node.inputs, name: node.name, attributes: Self.windowAttributes(pool.window))
    }

    /// Padded cells count in the divisor, as in the engine (PyTorch's count_include_pad).
    func addAveragePool(_ pool: AveragePool, _ node: OnnxNodeContext) -> String {
        self.node(
            "AveragePool", inputs: node.inputs, name: node.name,
            attributes: Self.windowAttributes(pool.window) + [.integer("count_include_pad", 1)])
    }

    /// Output sizes rounded down (ONNX's default ceil_mode 0), as `slidingWindowOutput` does.
    private static func windowAttributes(_ window: PoolingWindow) -> [Onnx_AttributeProto] {
        [
            .integers("kernel_shape", [window.kernelSize, window.kernelSize]), .integers("strides", [window.stride, window.stride]),
            .integers("pads", [window.padding, window.padding, window.padding, window.padding]),
        ]
    }
}

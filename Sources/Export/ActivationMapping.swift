import Engine

extension OnnxGraphBuilder {
    /// `function` applied to `input`, in the operators of opset 17.
    func addActivation(_ function: ActivationFunction, input: String, name: String) -> String {
        switch function {
        case .relu:
            node("Relu", inputs: [input], name: name)
        case .relu6:
            node("Clip", inputs: [input, floatScalar(0), floatScalar(6)], name: name)
        case .hardSwish:
            // ONNX's HardSwish is x·max(0, min(1, x/6 + 1/2)), the engine's x·relu6(x+3)/6.
            node("HardSwish", inputs: [input], name: name)
        case .hardSigmoid:
            // max(0, min(1, αx + β)) with α = 1/6, β = 1/2 is relu6(x+3)/6 (ONNX's default α is 0.2).
            node("HardSigmoid", inputs: [input], name: name, attributes: [.float("alpha", 1.0 / 6), .float("beta", 0.5)])
        case .silu:
            // Opset 17 has no Swish: x·sigmoid(x) in two nodes.
            node("Mul", inputs: [input, node("Sigmoid", inputs: [input], name: name)], name: name)
        case .sigmoid:
            node("Sigmoid", inputs: [input], name: name)
        }
    }
}

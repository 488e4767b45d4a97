/// Weights in the engine's layouts, which follow its NHWC activations, rearranged for ONNX's
/// NCHW ones. The engine keeps a convolution's weight as [out, kh, kw, in/groups] (OHWI) and a
/// linear layer's as [out, h·w·c], its input flattened with channels fastest; ONNX's Conv wants
/// [out, in/groups, kh, kw] (OIHW). A linear layer is exported as a convolution whose kernel
/// covers its whole input, so its weight, read as [out, h, w, c], takes the same rearrangement.
enum NCHWWeights {
    /// `weight`, [outputs, height, width, inputs] row-major, as [outputs, inputs, height, width].
    static func fromOHWI(_ weight: [Float], outputs: Int, height: Int, width: Int, inputs: Int) -> [Float] {
        precondition(weight.count == outputs * height * width * inputs, "OHWI weight of \(weight.count) values, expected \(outputs)x\(height)x\(width)x\(inputs)")
        var rearranged = [Float](repeating: 0, count: weight.count)
        for output in 0..<outputs {
            for row in 0..<height {
                for column in 0..<width {
                    for input in 0..<inputs {
                        let ohwi = ((output * height + row) * width + column) * inputs + input
                        let oihw = ((output * inputs + input) * height + row) * width + column
                        rearranged[oihw] = weight[ohwi]
                    }
                }
            }
        }
        return rearranged
    }
}

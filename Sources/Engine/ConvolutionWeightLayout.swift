/// Convolution weights in the engine's layout, which follows its NHWC activations, and in the
/// NCHW frameworks' (PyTorch's state dicts, ONNX's Conv). The engine keeps a convolution's
/// weight as [out, kh, kw, in/groups] (OHWI) and a linear layer's as [out, h·w·c], its input
/// flattened with channels fastest; PyTorch and ONNX keep [out, in/groups, kh, kw] (OIHW). A
/// linear layer read as a convolution whose kernel covers its whole input, [out, h, w, c], takes
/// the same rearrangement.
public enum ConvolutionWeightLayout {
    /// `weight`, [outputs, height, width, inputs] row-major, as [outputs, inputs, height, width].
    public static func oihw(fromOHWI weight: [Float], outputs: Int, height: Int, width: Int, inputs: Int) -> [Float] {
        rearranged(weight, outputs: outputs, height: height, width: width, inputs: inputs, toOIHW: true)
    }

    /// `weight`, [outputs, inputs, height, width] row-major, as [outputs, height, width, inputs].
    public static func ohwi(fromOIHW weight: [Float], outputs: Int, inputs: Int, height: Int, width: Int) -> [Float] {
        rearranged(weight, outputs: outputs, height: height, width: width, inputs: inputs, toOIHW: false)
    }

    private static func rearranged(
        _ weight: [Float], outputs: Int, height: Int, width: Int, inputs: Int, toOIHW: Bool
    ) -> [Float] {
        precondition(weight.count == outputs * height * width * inputs,
                     "weight of \(weight.count) values, expected \(outputs) x \(height) x \(width) x \(inputs)")
        var result = [Float](repeating: 0, count: weight.count)
        for output in 0..<outputs {
            for row in 0..<height {
                for column in 0..<width {
                    for input in 0..<inputs {
                        let ohwi = ((output * height + row) * width + column) * inputs + input
                        let oihw = ((output * inputs + input) * height + row) * width + column
                        if toOIHW { result[oihw] = weight[ohwi] } else { result[ohwi] = weight[oihw] }
                    }
                }
            }
        }
        return result
    }
}

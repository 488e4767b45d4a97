import Engine

/// Grouped k x k convolution over NHWC by its definition, seven plain loops: the reference
/// that `Convolution` and `DepthwiseConvolution` are held to. Weight [out, kh, kw, in/groups].
func naiveConvolution(
    input: [Float], batch: Int, inputShape: TensorShape, weight: [Float], bias: [Float]?,
    outputChannels: Int, kernelSize: Int, stride: Int, padding: Int, groups: Int
) -> [Float] {
    let (height, width, channels) = (inputShape.height, inputShape.width, inputShape.channels)
    let outputHeight = (height + 2 * padding - kernelSize) / stride + 1
    let outputWidth = (width + 2 * padding - kernelSize) / stride + 1
    let inPerGroup = channels / groups
    let outPerGroup = outputChannels / groups
    var output = [Float](repeating: 0, count: batch * outputHeight * outputWidth * outputChannels)
    for n in 0..<batch {
        for oy in 0..<outputHeight {
            for ox in 0..<outputWidth {
                for o in 0..<outputChannels {
                    let group = o / outPerGroup
                    var sum = Double(bias?[o] ?? 0)
                    for ky in 0..<kernelSize {
                        for kx in 0..<kernelSize {
                            let y = oy * stride - padding + ky
                            let x = ox * stride - padding + kx
                            guard (0..<height).contains(y), (0..<width).contains(x) else { continue }
                            for i in 0..<inPerGroup {
                                let value = input[((n * height + y) * width + x) * channels + group * inPerGroup + i]
                                let w = weight[((o * kernelSize + ky) * kernelSize + kx) * inPerGroup + i]
                                sum += Double(value) * Double(w)
                            }
                        }
                    }
                    output[((n * outputHeight + oy) * outputWidth + ox) * outputChannels + o] = Float(sum)
                }
            }
        }
    }
    return output
}

/// Largest |a - b| / max(1, |b|) over two equally long arrays.
func largestRelativeDifference(_ a: [Float], _ b: [Float]) -> Double {
    precondition(a.count == b.count, "compared arrays differ in length: \(a.count) vs \(b.count)")
    return zip(a, b).reduce(0) { max($0, Double(abs($1.0 - $1.1)) / max(1, Double(abs($1.1)))) }
}

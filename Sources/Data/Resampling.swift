import Foundation

/// The input taps of every output position along one axis: output `i` is the weighted sum
/// of inputs `starts[i] ..< starts[i] + counts[i]` with `weights[offsets[i]...]`.
///
/// Shrinking uses the area (box) filter: each output averages the input span it covers, with
/// partial weights at the edges, so no input pixel is skipped (no aliasing from the long
/// full-size X-rays). Enlarging uses bilinear interpolation between pixel centres.
struct AxisResampling {
    var starts: [Int] = []
    var counts: [Int] = []
    var offsets: [Int] = []
    var weights: [Float] = []

    init(from inputSize: Int, to outputSize: Int) {
        precondition(inputSize > 0 && outputSize > 0)
        let scale = Double(inputSize) / Double(outputSize)
        for output in 0..<outputSize {
            offsets.append(weights.count)
            if outputSize <= inputSize {
                let low = Double(output) * scale
                let high = Double(output + 1) * scale
                let first = Int(low.rounded(.down))
                let last = min(inputSize, Int(high.rounded(.up)))
                starts.append(first)
                counts.append(last - first)
                for input in first..<last {
                    let overlap = min(high, Double(input + 1)) - max(low, Double(input))
                    weights.append(Float(overlap / scale))
                }
            } else {
                let centre = min(max((Double(output) + 0.5) * scale - 0.5, 0), Double(inputSize - 1))
                let first = Int(centre.rounded(.down))
                let fraction = Float(centre - Double(first))
                starts.append(first)
                if first + 1 < inputSize && fraction > 0 {
                    counts.append(2)
                    weights += [1 - fraction, fraction]
                } else {
                    counts.append(1)
                    weights.append(1)
                }
            }
        }
    }
}

extension Image {
    /// This image resampled to `width` x `height` (aspect ratio not kept): area averaging on
    /// an axis that shrinks, bilinear on an axis that grows, each axis separately.
    public func resized(width newWidth: Int, height newHeight: Int) -> Image {
        if newWidth == width && newHeight == height { return self }
        return Image(
            width: newWidth, height: newHeight, channels: channels,
            pixels: resample(pixels, width: width, height: height, channels: channels, to: newWidth, newHeight, divisor: 1))
    }
}

extension HighBitDepthImage {
    /// This image resampled as `Image.resized` does, to 8 bits: the 16-bit samples are averaged
    /// in floating point and divided by 257 (65535 -> 255) before the one rounding, so a sample
    /// counts with all its bits, as it would not were it truncated to 8 bits first.
    public func resized(width newWidth: Int, height newHeight: Int) -> Image {
        Image(
            width: newWidth, height: newHeight, channels: channels,
            pixels: resample(samples, width: width, height: height, channels: channels, to: newWidth, newHeight, divisor: 257))
    }
}

/// Interleaved samples resampled to `newWidth` x `newHeight`, each output divided by `divisor`
/// and rounded to 8 bits.
private func resample<Sample: BinaryInteger>(
    _ samples: [Sample], width: Int, height: Int, channels: Int, to newWidth: Int, _ newHeight: Int, divisor: Float
) -> [UInt8] {
    let horizontal = AxisResampling(from: width, to: newWidth)
    let vertical = AxisResampling(from: height, to: newHeight)
    let rowLength = newWidth * channels
    var rows = [Float](repeating: 0, count: height * rowLength)  // (height, newWidth, channels)
    var result = [UInt8](repeating: 0, count: newHeight * rowLength)
    samples.withUnsafeBufferPointer { source in
        rows.withUnsafeMutableBufferPointer { rows in
            for y in 0..<height {
                let input = source.baseAddress! + y * width * channels
                let output = rows.baseAddress! + y * rowLength
                for x in 0..<newWidth {
                    let start = horizontal.starts[x]
                    let offset = horizontal.offsets[x]
                    for channel in 0..<channels {
                        var sum: Float = 0
                        for tap in 0..<horizontal.counts[x] {
                            sum += horizontal.weights[offset + tap] * Float(input[(start + tap) * channels + channel])
                        }
                        output[x * channels + channel] = sum
                    }
                }
            }
        }
    }
    var accumulator = [Float](repeating: 0, count: rowLength)
    rows.withUnsafeBufferPointer { rows in
        for y in 0..<newHeight {
            for index in 0..<rowLength { accumulator[index] = 0 }
            let start = vertical.starts[y]
            let offset = vertical.offsets[y]
            for tap in 0..<vertical.counts[y] {
                let weight = vertical.weights[offset + tap]
                let row = rows.baseAddress! + (start + tap) * rowLength
                for index in 0..<rowLength { accumulator[index] += weight * row[index] }
            }
            for index in 0..<rowLength {
                result[y * rowLength + index] = UInt8(min(max(accumulator[index] / divisor + 0.5, 0), 255))
            }
        }
    }
    return result
}

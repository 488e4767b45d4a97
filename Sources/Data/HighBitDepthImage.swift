/// A 16-bit image (a 16-bit PNG), rows top to bottom, channels interleaved: `samples` is
/// (height, width, channels). It becomes an 8-bit `Image` only when resized to the network's
/// input (`resized`), so its low bits count in the averages before the one rounding.
public struct HighBitDepthImage: Equatable, Sendable {
    public var width: Int
    public var height: Int
    /// 1 (grey) or 3 (RGB).
    public var channels: Int
    public var samples: [UInt16]

    public init(width: Int, height: Int, channels: Int, samples: [UInt16]) {
        precondition(samples.count == width * height * channels, "sample count does not match the shape")
        self.width = width
        self.height = height
        self.channels = channels
        self.samples = samples
    }
}

/// Turning interleaved samples of one channel count into another, as Pillow's `convert`
/// does: grey is replicated to RGB, and RGB becomes ITU-R 601 luma (the fixed-point weights of
/// libjpeg and Pillow, so a PNG and a JPEG of the same colours give the same grey).
enum ChannelConversion {
    static func convert<Sample: FixedWidthInteger & UnsignedInteger>(
        _ samples: [Sample], from channels: Int, to wanted: Int
    ) -> [Sample] {
        precondition([1, 3].contains(channels) && [1, 3].contains(wanted), "channels must be 1 or 3")
        if channels == wanted { return samples }
        if wanted == 3 {
            var replicated: [Sample] = []
            replicated.reserveCapacity(samples.count * 3)
            for sample in samples { replicated += repeatElement(sample, count: 3) }
            return replicated
        }
        return stride(from: 0, to: samples.count, by: 3).map { index in
            let red = UInt64(samples[index]), green = UInt64(samples[index + 1]), blue = UInt64(samples[index + 2])
            return Sample((19595 * red + 38470 * green + 7471 * blue + 32768) >> 16)
        }
    }
}

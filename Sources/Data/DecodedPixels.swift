/// A decoded file at the bit depth it was stored in (PNG and DICOM may hold 16 bits).
public enum DecodedPixels: Equatable, Sendable {
    /// Files of 1, 2, 4 or 8 bits a sample (palettes included).
    case eightBit(Image)
    /// 16-bit files, kept whole until resized (`HighBitDepthImage.resized`).
    case sixteenBit(HighBitDepthImage)

    /// These pixels resampled to `width` x `height` as 8-bit; 16-bit samples are averaged
    /// before they are scaled to 8 bits, so no precision is lost to an early rounding.
    public func resized(width: Int, height: Int) -> Image {
        switch self {
        case .eightBit(let image): return image.resized(width: width, height: height)
        case .sixteenBit(let image): return image.resized(width: width, height: height)
        }
    }
}

extension DecodedPixels {
    /// A C decoder's `width` x `height` interleaved samples of `stored` channels, 8-bit or
    /// 16-bit in the host's byte order, converted to `channels` (`ChannelConversion`).
    init(samples: UnsafeRawPointer, width: Int, height: Int, stored: Int, bitDepth: Int, channels: Int) {
        let count = width * height * stored
        if bitDepth == 16 {
            let values = Array(UnsafeBufferPointer(start: samples.assumingMemoryBound(to: UInt16.self), count: count))
            self = .sixteenBit(HighBitDepthImage(
                width: width, height: height, channels: channels,
                samples: ChannelConversion.convert(values, from: stored, to: channels)))
        } else {
            let values = Array(UnsafeBufferPointer(start: samples.assumingMemoryBound(to: UInt8.self), count: count))
            self = .eightBit(Image(
                width: width, height: height, channels: channels, pixels: ChannelConversion.convert(values, from: stored, to: channels)))
        }
    }
}

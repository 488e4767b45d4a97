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

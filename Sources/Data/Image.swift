/// An 8-bit image, rows top to bottom, channels interleaved: `pixels` is (height, width, channels).
public struct Image: Equatable, Sendable {
    public var width: Int
    public var height: Int
    /// 1 (grey) or 3 (RGB); 4 (CMYK) only as input to `JPEG.encode`.
    public var channels: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * channels, "pixel count does not match the shape")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// The value of channel `channel` at column `x`, row `y`.
    public subscript(x: Int, y: Int, channel: Int = 0) -> UInt8 {
        pixels[(y * width + x) * channels + channel]
    }

    /// The image in grey: ITU-R 601 luma of an RGB image, the grey libjpeg gives for colour
    /// files; a grey image as it is.
    public var grey: Image {
        guard channels == 3 else { return self }
        let luma = (0..<(width * height)).map { index in
            let red = Double(pixels[3 * index])
            let green = Double(pixels[3 * index + 1])
            let blue = Double(pixels[3 * index + 2])
            return UInt8((0.299 * red + 0.587 * green + 0.114 * blue).rounded())
        }
        return Image(width: width, height: height, channels: 1, pixels: luma)
    }
}

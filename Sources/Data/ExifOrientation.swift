import Foundation

/// The EXIF orientation tag (0x0112) of a JPEG: cameras and phones record how the stored
/// pixels must be turned to stand upright instead of turning the pixels. Each case is named by
/// that correction, as Pillow's `ImageOps.exif_transpose` applies it.
public enum ExifOrientation: Int, CaseIterable, Sendable {
    case upright = 1
    case mirrorLeftRight = 2
    case rotate180 = 3
    case mirrorTopBottom = 4
    /// Mirror along the main diagonal (top-left to bottom-right).
    case transpose = 5
    case rotateClockwise = 6
    /// Mirror along the other diagonal (top-right to bottom-left).
    case transverse = 7
    case rotateCounterClockwise = 8

    /// Whether the correction exchanges width and height.
    public var swapsAxes: Bool { rawValue >= 5 }

    /// The orientation recorded in `jpeg`'s first Exif APP1 segment; `.upright` when there is
    /// none or it is unreadable, as for any viewer.
    public static func read(from jpeg: Data) -> ExifOrientation {
        jpeg.withUnsafeBytes { bytes in
            guard bytes.count >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return .upright }
            var index = 2
            // Marker segments up to the first scan: 0xFF, type, 2-byte length (itself included).
            while index + 4 <= bytes.count, bytes[index] == 0xFF {
                let marker = bytes[index + 1]
                if marker == 0xFF { index += 1; continue }
                if marker == 0xDA || marker == 0xD9 { break }
                let length = Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
                let end = index + 2 + length
                guard length >= 2, end <= bytes.count else { break }
                let payload = UnsafeRawBufferPointer(rebasing: bytes[(index + 4)..<end])
                if marker == 0xE1, payload.starts(with: Array("Exif\0\0".utf8)) {
                    return orientation(inTIFF: UnsafeRawBufferPointer(rebasing: payload[6...])) ?? .upright
                }
                index = end
            }
            return .upright
        }
    }

    /// The orientation entry of IFD0 of the TIFF structure an Exif segment holds (TIFF 6.0
    /// section 2: byte order, 42, offset of IFD0; 12-byte entries of tag, type, count, value).
    private static func orientation(inTIFF tiff: UnsafeRawBufferPointer) -> ExifOrientation? {
        guard tiff.count >= 8 else { return nil }
        let littleEndian: Bool
        switch (tiff[0], tiff[1]) {
        case (0x49, 0x49): littleEndian = true
        case (0x4D, 0x4D): littleEndian = false
        default: return nil
        }
        func integer(at offset: Int, bytes: Int) -> Int? {
            guard offset >= 0, offset + bytes <= tiff.count else { return nil }
            return (0..<bytes).reduce(0) { value, position in
                value | Int(tiff[offset + (littleEndian ? position : bytes - 1 - position)]) << (8 * position)
            }
        }
        guard integer(at: 2, bytes: 2) == 42, let directory = integer(at: 4, bytes: 4),
              let entries = integer(at: directory, bytes: 2)
        else { return nil }
        for entry in 0..<entries {
            let offset = directory + 2 + 12 * entry
            guard let tag = integer(at: offset, bytes: 2), let type = integer(at: offset + 2, bytes: 2) else { return nil }
            guard tag == 0x0112 else { continue }
            // SHORT as the standard says; LONG from a few writers.
            let value = type == 3 ? integer(at: offset + 8, bytes: 2) : type == 4 ? integer(at: offset + 8, bytes: 4) : nil
            return value.flatMap(ExifOrientation.init(rawValue:))
        }
        return nil
    }
}

extension Image {
    /// The image turned upright by `orientation`'s correction.
    public func applying(_ orientation: ExifOrientation) -> Image {
        guard orientation != .upright else { return self }
        let (outputWidth, outputHeight) = orientation.swapsAxes ? (height, width) : (width, height)
        var output = [UInt8](repeating: 0, count: pixels.count)
        for y in 0..<outputHeight {
            for x in 0..<outputWidth {
                // The stored pixel that output pixel (x, y) shows.
                let (sourceX, sourceY): (Int, Int)
                switch orientation {
                case .upright: (sourceX, sourceY) = (x, y)
                case .mirrorLeftRight: (sourceX, sourceY) = (width - 1 - x, y)
                case .rotate180: (sourceX, sourceY) = (width - 1 - x, height - 1 - y)
                case .mirrorTopBottom: (sourceX, sourceY) = (x, height - 1 - y)
                case .transpose: (sourceX, sourceY) = (y, x)
                case .rotateClockwise: (sourceX, sourceY) = (y, height - 1 - x)
                case .transverse: (sourceX, sourceY) = (width - 1 - y, height - 1 - x)
                case .rotateCounterClockwise: (sourceX, sourceY) = (width - 1 - y, x)
                }
                let source = (sourceY * width + sourceX) * channels
                let destination = (y * outputWidth + x) * channels
                for channel in 0..<channels { output[destination + channel] = pixels[source + channel] }
            }
        }
        return Image(width: outputWidth, height: outputHeight, channels: channels, pixels: output)
    }
}

import Foundation
import Support

/// PNG files the tests write themselves, so no image is committed: every sample given, rows
/// unfiltered, the image data a zlib stream of "stored" deflate blocks (RFC 1951 §3.2.4), every
/// chunk with its CRC. Enough of the format to exercise each colour type, bit depth and Adam7
/// interlacing that the decoder must handle.
enum PNGWriter {
    enum ColourType: UInt8 {
        case grey = 0, rgb = 2, palette = 3, greyAlpha = 4, rgba = 6

        var samplesPerPixel: Int {
            switch self {
            case .grey, .palette: 1
            case .greyAlpha: 2
            case .rgb: 3
            case .rgba: 4
            }
        }
    }

    /// - Parameters:
    ///   - samples: (height, width, samples per pixel), row-major; each below 2^bitDepth (a
    ///     palette index for `.palette`).
    ///   - palette: RGB triples for `.palette`.
    static func png(
        width: Int, height: Int, colourType: ColourType, bitDepth: Int, samples: [Int], palette: [UInt8] = [],
        interlaced: Bool = false
    ) -> Data {
        precondition(samples.count == width * height * colourType.samplesPerPixel)
        let header = bigEndian(UInt32(width)) + bigEndian(UInt32(height))
            + [UInt8(bitDepth), colourType.rawValue, 0, 0, interlaced ? 1 : 0]
        let pixel = { (x: Int, y: Int) in
            Array(samples[(y * width + x) * colourType.samplesPerPixel..<(y * width + x + 1) * colourType.samplesPerPixel])
        }
        var scanlines: [UInt8] = []
        for (xs, ys) in passes(width: width, height: height, interlaced: interlaced) where !xs.isEmpty {
            for y in ys { scanlines += [0] + packed(xs.flatMap { pixel($0, y) }, bitDepth: bitDepth) }
        }
        var file: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        file += chunk("IHDR", header)
        if !palette.isEmpty { file += chunk("PLTE", palette) }
        file += chunk("IDAT", zlibStored(scanlines)) + chunk("IEND", [])
        return Data(file)
    }

    /// The columns and rows of each Adam7 pass (one pass of everything when not interlaced).
    static func passes(width: Int, height: Int, interlaced: Bool) -> [(columns: [Int], rows: [Int])] {
        let adam7 = interlaced
            ? [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
            : [(0, 0, 1, 1)]
        return adam7.map { x, y, dx, dy in (Array(stride(from: x, to: width, by: dx)), Array(stride(from: y, to: height, by: dy))) }
    }

    /// Samples of one row, most significant bits first: bytes for 8, big-endian pairs for 16,
    /// several to a byte (the last padded) below 8.
    static func packed(_ samples: [Int], bitDepth: Int) -> [UInt8] {
        switch bitDepth {
        case 16: return samples.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        case 8: return samples.map { UInt8($0) }
        default:
            let perByte = 8 / bitDepth
            return stride(from: 0, to: samples.count, by: perByte).map { start in
                samples[start..<min(start + perByte, samples.count)].enumerated().reduce(UInt8(0)) { byte, item in
                    byte | UInt8(item.element << (8 - bitDepth * (item.offset + 1)))
                }
            }
        }
    }

    static func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + body
        return bigEndian(UInt32(body.count)) + typed + bigEndian(typed.withUnsafeBytes { CRC32.checksum($0) })
    }

    /// A zlib stream (no compression, RFC 1950) of stored deflate blocks of up to 65,535 bytes.
    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var stream: [UInt8] = [0x78, 0x01]
        var start = 0
        repeat {
            let count = min(65_535, data.count - start)
            let isLast = start + count == data.count
            stream += [isLast ? 1 : 0, UInt8(count & 0xFF), UInt8(count >> 8), UInt8(~count & 0xFF), UInt8((~count >> 8) & 0xFF)]
            stream += data[start..<start + count]
            start += count
        } while start < data.count
        var (a, b): (UInt32, UInt32) = (1, 0)
        for byte in data {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        return stream + bigEndian(b << 16 | a)
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }
}

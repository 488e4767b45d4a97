@testable import Data
import Foundation
import Testing

@Suite struct ExifOrientationTests {
    /// 32 x 24 upright, in 8 x 8 blocks of distinct flat values: no two symmetries of it agree,
    /// and a quality-100 JPEG keeps flat grey blocks exactly.
    static func upright(channels: Int) -> Image {
        var pixels: [UInt8] = []
        for y in 0..<24 {
            for x in 0..<32 {
                let block = (y / 8) * 4 + x / 8
                pixels += (0..<channels).map { UInt8(10 + 19 * block + 3 * $0) }
            }
        }
        return Image(width: 32, height: 24, channels: channels, pixels: pixels)
    }

    static func mirroredLeftRight(_ image: Image) -> Image {
        transformed(image, width: image.width, height: image.height) { x, y in (image.width - 1 - x, y) }
    }

    /// Turned 90 degrees clockwise: the left column becomes the top row.
    static func turnedClockwise(_ image: Image) -> Image {
        transformed(image, width: image.height, height: image.width) { x, y in (y, image.height - 1 - x) }
    }

    static func transformed(_ image: Image, width: Int, height: Int, source: (Int, Int) -> (Int, Int)) -> Image {
        var pixels: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width {
                let (sourceX, sourceY) = source(x, y)
                let start = (sourceY * image.width + sourceX) * image.channels
                pixels += image.pixels[start..<(start + image.channels)]
            }
        }
        return Image(width: width, height: height, channels: image.channels, pixels: pixels)
    }

    /// What a camera stores when it records `orientation` for an `upright` scene: the inverse of
    /// the correction, built from mirrors and clockwise turns only (EXIF 2.3, tag 0x0112).
    static func stored(_ upright: Image, orientation: Int) -> Image {
        func turns(_ count: Int, _ image: Image) -> Image { (0..<count).reduce(image) { image, _ in turnedClockwise(image) } }
        switch orientation {
        case 1: return upright
        case 2: return mirroredLeftRight(upright)
        case 3: return turns(2, upright)
        case 4: return turns(2, mirroredLeftRight(upright))  // mirrored top to bottom
        case 5: return mirroredLeftRight(turns(1, upright))  // transposed
        case 6: return turns(3, upright)  // displayed after one clockwise turn
        case 7: return turns(2, mirroredLeftRight(turns(1, upright)))  // transverse
        default: return turns(1, upright)  // 8: displayed after one counter-clockwise turn
        }
    }

    /// An APP1 segment holding an Exif TIFF structure whose IFD0 has one entry: the orientation.
    static func exifSegment(orientation: Int, littleEndian: Bool, type: Int = 3) -> [UInt8] {
        func bytes(_ value: Int, _ count: Int) -> [UInt8] {
            let bigEndian = (0..<count).map { UInt8((value >> (8 * (count - 1 - $0))) & 0xFF) }
            return littleEndian ? bigEndian.reversed() : bigEndian
        }
        let value = type == 3 ? bytes(orientation, 2) + [0, 0] : bytes(orientation, 4)
        let tiff = (littleEndian ? [0x49, 0x49] : [0x4D, 0x4D]) + bytes(42, 2) + bytes(8, 4)
            + bytes(1, 2) + bytes(0x0112, 2) + bytes(type, 2) + bytes(1, 4) + value + bytes(0, 4)
        let payload = Array("Exif\0\0".utf8) + tiff
        return [0xFF, 0xE1, UInt8((payload.count + 2) >> 8), UInt8((payload.count + 2) & 0xFF)] + payload
    }

    /// `segment` inserted right after the start-of-image marker, where cameras write Exif.
    static func inserting(_ segment: [UInt8], into jpeg: Data) -> Data {
        jpeg.prefix(2) + Data(segment) + jpeg.dropFirst(2)
    }

    @Test(arguments: 1...8, [1, 3])
    func everyOrientationDecodesToTheUprightPixels(orientation: Int, channels: Int) throws {
        let upright = Self.upright(channels: channels)
        let stored = JPEG.encode(Self.stored(upright, orientation: orientation), quality: 100)
        for littleEndian in [true, false] {
            let tagged = Self.inserting(Self.exifSegment(orientation: orientation, littleEndian: littleEndian), into: stored)
            #expect(ExifOrientation.read(from: tagged).rawValue == orientation)
            let decoded = try JPEG.decode(tagged, path: "photo.jpg", channels: channels)
            // Exact for grey; colour goes through YCbCr and back. Neighbouring blocks differ by 19.
            let largestDifference = zip(decoded.pixels, upright.pixels).map { abs(Int($0) - Int($1)) }.max()
            #expect(decoded.width == upright.width && decoded.height == upright.height)
            #expect(largestDifference ?? 0 <= (channels == 1 ? 0 : 2), "orientation \(orientation), \(littleEndian ? "II" : "MM")")
        }
    }

    /// DCT scaling picks its factor from the upright size the caller asks for.
    @Test(arguments: 1...8)
    func minimumSizeIsOfTheUprightImage(orientation: Int) throws {
        let upright = Fixtures.pattern(width: 64, height: 32, channels: 1)
        let stored = JPEG.encode(Self.stored(upright, orientation: orientation))
        let tagged = Self.inserting(Self.exifSegment(orientation: orientation, littleEndian: true), into: stored)
        let decoded = try JPEG.decode(tagged, path: "photo.jpg", channels: 1, minimumWidth: 32, minimumHeight: 16)
        #expect(decoded.width == 32 && decoded.height == 16)
    }

    @Test func longValueAndLaterSegmentsAreRead() {
        let stored = JPEG.encode(Self.upright(channels: 1))
        let xmp = [0xFF, 0xE1, 0x00, 0x0B] + Array("http://ns".utf8)
        let tagged = Self.inserting(xmp + Self.exifSegment(orientation: 6, littleEndian: false, type: 4), into: stored)
        #expect(ExifOrientation.read(from: tagged) == .rotateClockwise)
    }

    /// A damaged or absent tag leaves the image as stored, as any viewer would, and never crashes.
    @Test func unreadableOrientationLeavesTheImageAsStored() throws {
        let stored = JPEG.encode(Self.upright(channels: 1))
        let plain = try JPEG.decode(stored, path: "plain.jpg", channels: 1)
        let valid = Self.exifSegment(orientation: 6, littleEndian: true)
        var damaged: [[UInt8]] = [
            Self.exifSegment(orientation: 0, littleEndian: true),
            Self.exifSegment(orientation: 9, littleEndian: false),
            Self.exifSegment(orientation: 6, littleEndian: true, type: 7),
            [0xFF, 0xE1, 0x00, 0x08] + Array("Exif\0\0".utf8),
        ]
        for cut in [12, 16, 20, 26] {
            var short = Array(valid.prefix(cut))
            short[2...3] = [0, UInt8(cut - 2)]
            damaged.append(short)
        }
        var farOffset = valid
        farOffset[14...17] = [0xFF, 0xFF, 0x00, 0x00]
        damaged.append(farOffset)
        for segment in damaged {
            let tagged = Self.inserting(segment, into: stored)
            #expect(ExifOrientation.read(from: tagged) == .upright, "\(segment)")
            #expect(try JPEG.decode(tagged, path: "tagged.jpg", channels: 1) == plain)
        }
        #expect(ExifOrientation.read(from: stored) == .upright)
        #expect(ExifOrientation.read(from: Data([0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF])) == .upright)
    }
}

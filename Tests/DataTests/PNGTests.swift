@testable import Data
import Foundation
import Testing

/// PNG decoding of files the tests write (`PNGWriter`) from known samples: 8-bit files decode
/// to exactly those samples, converted as Pillow's `convert` does; 16-bit files to within the
/// rounding of sample / 257.
@Suite struct PNGTests {
    static let width = 5
    static let height = 3
    /// 16 RGB entries, no two alike.
    static let palette: [UInt8] = (0..<16).flatMap { (index: Int) -> [UInt8] in
        [UInt8(index * 16), UInt8(255 - index * 13), UInt8(index * 7 + 30)]
    }

    /// A file and the 8-bit pixels it should decode to, grey and RGB.
    struct Made {
        var data: Data
        var grey: [UInt8]
        var rgb: [UInt8]
    }

    static let kinds: [String: (type: PNGWriter.ColourType, depth: Int, interlaced: Bool)] = [
        "grey-1": (.grey, 1, false), "grey-8": (.grey, 8, false), "grey-alpha-8": (.greyAlpha, 8, false),
        "rgb-8": (.rgb, 8, false), "rgba-8": (.rgba, 8, false), "palette-8": (.palette, 8, false),
        "rgb-8-interlaced": (.rgb, 8, true), "grey-16": (.grey, 16, false), "grey-alpha-16": (.greyAlpha, 16, false),
        "rgb-16": (.rgb, 16, false), "rgba-16": (.rgba, 16, false),
    ]

    /// Pillow's RGB to L: ITU-R 601 luma in 16-bit fixed point, rounded.
    static func luma(_ r: Int, _ g: Int, _ b: Int) -> UInt8 { UInt8((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16) }

    static func make(_ name: String) -> Made {
        let kind = kinds[name]!
        let perPixel = kind.type.samplesPerPixel
        var samples: [Int] = []
        var grey: [UInt8] = []
        var rgb: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width {
                let pixel: [Int] = (0..<perPixel).map { c in
                    switch (kind.type, kind.depth) {
                    case (.palette, _): (x + 3 * y) % 16
                    case (_, 1): (2 * x + y) % 3 == 0 ? 1 : 0
                    case (_, 16): (9973 * x + 15013 * y + 7919 * c + 4099) % 65536
                    default: (37 * x + 71 * y + 101 * c + 13) % 256
                    }
                }
                samples += pixel
                // As 8-bit values, alpha left out.
                let eightBit = pixel.map { kind.depth == 1 ? $0 * 255 : kind.depth == 16 ? Int((Double($0) / 257).rounded()) : $0 }
                let colour: [Int] = switch kind.type {
                case .grey, .greyAlpha: [eightBit[0], eightBit[0], eightBit[0]]
                case .palette: (0..<3).map { Int(palette[3 * pixel[0] + $0]) }
                case .rgb, .rgba: Array(eightBit[0..<3])
                }
                rgb += colour.map { UInt8($0) }
                grey.append(kind.type == .grey || kind.type == .greyAlpha ? UInt8(eightBit[0]) : luma(colour[0], colour[1], colour[2]))
            }
        }
        let data = PNGWriter.png(
            width: width, height: height, colourType: kind.type, bitDepth: kind.depth, samples: samples,
            palette: kind.type == .palette ? palette : [], interlaced: kind.interlaced)
        return Made(data: data, grey: grey, rgb: rgb)
    }

    static func bytes(_ name: String) -> Data { make(name).data }

    static let eightBit = ["grey-1", "grey-8", "grey-alpha-8", "rgb-8", "rgba-8", "palette-8", "rgb-8-interlaced"]
    static let sixteenBit = ["grey-16", "grey-alpha-16", "rgb-16", "rgba-16"]

    @Test(arguments: eightBit, [1, 3])
    func eightBitFilesDecodeToTheirSamples(name: String, channels: Int) throws {
        let made = Self.make(name)
        let decoded = try PNG.decode(made.data, path: name, channels: channels)
        guard case .eightBit(let image) = decoded else { Issue.record("\(name) decoded as 16-bit"); return }
        #expect(image.width == Self.width && image.height == Self.height && image.channels == channels)
        #expect(image.pixels == (channels == 1 ? made.grey : made.rgb))
    }

    @Test(arguments: sixteenBit, [1, 3])
    func sixteenBitFilesKeepTheirLowBitsUntilResized(name: String, channels: Int) throws {
        let made = Self.make(name)
        let decoded = try PNG.decode(made.data, path: name, channels: channels)
        guard case .sixteenBit(let image) = decoded else { Issue.record("\(name) decoded as 8-bit"); return }
        #expect(image.width == Self.width && image.height == Self.height && image.channels == channels)
        let pixels = decoded.resized(width: Self.width, height: Self.height).pixels
        let reference = channels == 1 ? made.grey : made.rgb
        #expect(pixels.count == reference.count)
        #expect(zip(pixels, reference).allSatisfy { abs(Int($0) - Int($1)) <= 1 })
    }

    /// Four samples of 100.6, 100.6, 100.6 and 100.0 (in 8-bit steps) average to 100.45: rounding
    /// each to 8 bits first would give 101, 101, 101, 100 and an average of 101.
    @Test func sixteenBitSamplesAreAveragedBeforeTheyAreRounded() {
        let step = 257.0
        let samples = [100.6, 100.6, 100.6, 100.0].map { UInt16(($0 * step).rounded()) }
        let image = HighBitDepthImage(width: 2, height: 2, channels: 1, samples: samples)
        #expect(image.resized(width: 1, height: 1).pixels == [100])
        #expect(Image(width: 2, height: 2, channels: 1, pixels: [101, 101, 101, 100]).resized(width: 1, height: 1).pixels == [101])
    }

    @Test func fullScaleSixteenBitIsFullScaleEightBit() {
        let image = HighBitDepthImage(width: 2, height: 1, channels: 1, samples: [0, 65535])
        #expect(image.resized(width: 2, height: 1).pixels == [0, 255])
    }

    /// Every cut of a file ends before its end chunk; each is refused, none crashes or decodes.
    @Test func truncatedFilesAreRefused() {
        let whole = Self.bytes("rgb-8")
        for length in stride(from: 9, to: whole.count, by: 7) {
            #expect(throws: DatasetError.truncatedPNG(path: "cut.png")) {
                try PNG.decode(whole.prefix(length), path: "cut.png", channels: 3)
            }
        }
    }

    /// A changed bit in the compressed image data, in the image data's CRC, and in the end
    /// chunk's CRC: each is refused as corrupt, the latter two for their CRC.
    @Test(arguments: ["image data", "image data CRC", "end chunk CRC"])
    func damagedFilesAreRefused(place: String) throws {
        var damaged = Self.bytes("grey-8")
        let idat = try #require(damaged.range(of: Data("IDAT".utf8)))
        let length = damaged[(idat.lowerBound - 4)..<idat.lowerBound].reduce(0) { $0 << 8 | Int($1) }
        let index = switch place {
        case "image data": idat.upperBound + 2
        case "image data CRC": idat.upperBound + length
        default: damaged.count - 1
        }
        damaged[index] ^= 0x01
        #expect {
            try PNG.decode(damaged, path: "bad.png", channels: 1)
        } throws: { error in
            guard case .corruptPNG(let path, let reason) = error as? DatasetError else { return false }
            return path == "bad.png" && (place == "image data" || reason.contains("CRC"))
        }
    }

    /// A header declaring 100,000 x 100,000 grey pixels, with a few bytes of image data.
    static let bomb = Data(
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
            + PNGWriter.chunk("IHDR", PNGWriter.bigEndian(100_000) + PNGWriter.bigEndian(100_000) + [8, 0, 0, 0, 0])
            + PNGWriter.chunk("IDAT", PNGWriter.zlibStored([0, 0, 0, 0])) + PNGWriter.chunk("IEND", []))

    @Test func bombSizedHeaderIsRefusedBeforeDecoding() {
        #expect(throws: DatasetError.imageTooLarge(
            path: "bomb.png", width: 100_000, height: 100_000, limit: JPEG.defaultMaximumPixels)) {
            try PNG.decode(Self.bomb, path: "bomb.png", channels: 1)
        }
        // Within a pixel limit that admits it, the header still declares more than its 66 bytes
        // could hold: refused before the 10 GB of output are allocated.
        #expect {
            try PNG.decode(Self.bomb, path: "bomb.png", channels: 1, maximumPixels: 20_000_000_000)
        } throws: { error in
            guard case .corruptPNG(_, let reason) = error as? DatasetError else { return false }
            return reason.contains("cannot hold the 100000x100000 image")
        }
        let small = Self.bytes("grey-8")
        #expect(throws: DatasetError.imageTooLarge(path: "a.png", width: 5, height: 3, limit: 14)) {
            try PNG.decode(small, path: "a.png", channels: 1, maximumPixels: 14)
        }
    }

    /// The content decides the decoder: a PNG named .jpg and a JPEG named .png decode as what
    /// they are, beside files named for their format, in one class folder.
    @Test func classFoldersMayMixFormatsWhateverTheNames() throws {
        let root = Fixtures.temporaryDirectory()
        let jpeg = JPEG.encode(Fixtures.pattern(width: 5, height: 3, channels: 3))
        let files: [(String, Data)] = [
            ("a/real.png", Self.bytes("rgb-8")), ("a/png-named.jpg", Self.bytes("rgb-8")),
            ("b/real.jpg", jpeg), ("b/jpeg-named.png", jpeg), ("b/ignored.gif", Data("GIF89a".utf8)),
        ]
        for (path, bytes) in files { Fixtures.write(bytes, to: root, path) }
        let cache = try ImageCache(decoding: ImageFolder.scan(root), imageSize: 5, channels: 3)
        #expect(cache.folder.images.map(\.path) == ["a/png-named.jpg", "a/real.png", "b/jpeg-named.png", "b/real.jpg"])
        let png = try PNG.decode(Self.bytes("rgb-8"), path: "rgb-8.png", channels: 3).resized(width: 5, height: 5)
        let decodedJPEG = try JPEG.decode(jpeg, path: "real.jpg", channels: 3).resized(width: 5, height: 5)
        #expect(cache.image(at: 0) == png && cache.image(at: 1) == png)
        #expect(cache.image(at: 2) == decodedJPEG && cache.image(at: 3) == decodedJPEG)
    }
}

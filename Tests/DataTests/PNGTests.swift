@testable import Data
import Foundation
import Testing

/// PNG decoding against files Pillow wrote (Scripts/make-png-fixtures) and the pixels Pillow
/// decodes them to: exactly for 8-bit files, within the rounding of 16-bit ones.
@Suite struct PNGTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/png")

    struct Expected: Decodable {
        var width: Int
        var height: Int
        var grey: [UInt8]
        var rgb: [UInt8]
    }

    static let expected: [String: Expected] = {
        let data = try! Data(contentsOf: folder.appendingPathComponent("expected.json"))
        return try! JSONDecoder().decode([String: Expected].self, from: data)
    }()

    static func bytes(_ name: String) -> Data { try! Data(contentsOf: folder.appendingPathComponent(name)) }

    static let eightBit = ["grey-1.png", "grey-8.png", "grey-alpha-8.png", "rgb-8.png", "rgba-8.png", "palette-8.png", "rgb-8-interlaced.png"]
    static let sixteenBit = ["grey-16.png", "grey-alpha-16.png", "rgb-16.png", "rgba-16.png"]

    @Test(arguments: eightBit, [1, 3])
    func eightBitFilesDecodeToPillowsPixels(name: String, channels: Int) throws {
        let expected = try #require(Self.expected[name])
        let decoded = try PNG.decode(Self.bytes(name), path: name, channels: channels)
        guard case .eightBit(let image) = decoded else { Issue.record("\(name) decoded as 16-bit"); return }
        #expect(image.width == expected.width && image.height == expected.height && image.channels == channels)
        #expect(image.pixels == (channels == 1 ? expected.grey : expected.rgb))
    }

    @Test(arguments: sixteenBit, [1, 3])
    func sixteenBitFilesKeepTheirLowBitsUntilResized(name: String, channels: Int) throws {
        let expected = try #require(Self.expected[name])
        let decoded = try PNG.decode(Self.bytes(name), path: name, channels: channels)
        guard case .sixteenBit(let image) = decoded else { Issue.record("\(name) decoded as 8-bit"); return }
        #expect(image.width == expected.width && image.height == expected.height && image.channels == channels)
        let pixels = decoded.resized(width: expected.width, height: expected.height).pixels
        let reference = channels == 1 ? expected.grey : expected.rgb
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
        let whole = Self.bytes("rgb-8.png")
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
        var damaged = Self.bytes("grey-8.png")
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

    @Test func bombSizedHeaderIsRefusedBeforeDecoding() {
        #expect(throws: DatasetError.imageTooLarge(
            path: "bomb.png", width: 100_000, height: 100_000, limit: JPEG.defaultMaximumPixels)) {
            try PNG.decode(Self.bytes("bomb.png"), path: "bomb.png", channels: 1)
        }
        // Within a pixel limit that admits it, the header still declares more than its 66 bytes
        // could hold: refused before the 10 GB of output are allocated.
        #expect {
            try PNG.decode(Self.bytes("bomb.png"), path: "bomb.png", channels: 1, maximumPixels: 20_000_000_000)
        } throws: { error in
            guard case .corruptPNG(_, let reason) = error as? DatasetError else { return false }
            return reason.contains("cannot hold the 100000x100000 image")
        }
        let small = Self.bytes("grey-8.png")
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
            ("a/real.png", Self.bytes("rgb-8.png")), ("a/png-named.jpg", Self.bytes("rgb-8.png")),
            ("b/real.jpg", jpeg), ("b/jpeg-named.png", jpeg), ("b/ignored.gif", Data("GIF89a".utf8)),
        ]
        for (path, bytes) in files { Fixtures.write(bytes, to: root, path) }
        let cache = try ImageCache(decoding: ImageFolder.scan(root), imageSize: 5, channels: 3)
        #expect(cache.folder.images.map(\.path) == ["a/png-named.jpg", "a/real.png", "b/jpeg-named.png", "b/real.jpg"])
        let png = try PNG.decode(Self.bytes("rgb-8.png"), path: "rgb-8.png", channels: 3).resized(width: 5, height: 5)
        let decodedJPEG = try JPEG.decode(jpeg, path: "real.jpg", channels: 3).resized(width: 5, height: 5)
        #expect(cache.image(at: 0) == png && cache.image(at: 1) == png)
        #expect(cache.image(at: 2) == decodedJPEG && cache.image(at: 3) == decodedJPEG)
    }
}

@testable import Data
import Foundation
import Testing

@Suite struct JPEGTests {
    @Test func greyRoundTripStaysCloseToTheOriginal() throws {
        let original = Fixtures.pattern(width: 40, height: 30, channels: 1)
        let decoded = try JPEG.decode(JPEG.encode(original, quality: 95), path: "memory", channels: 1)
        #expect(decoded.width == 40 && decoded.height == 30 && decoded.channels == 1)
        #expect(Fixtures.meanAbsoluteDifference(decoded.pixels, original.pixels) < 2)
    }

    @Test func rgbRoundTripStaysCloseToTheOriginal() throws {
        let original = Fixtures.pattern(width: 32, height: 32, channels: 3)
        let decoded = try JPEG.decode(JPEG.encode(original, quality: 95), path: "memory", channels: 3)
        #expect(decoded.channels == 3)
        #expect(Fixtures.meanAbsoluteDifference(decoded.pixels, original.pixels) < 4)
    }

    @Test func colourReadAsGreyIsLumaAndGreyReadAsColourIsReplicated() throws {
        let colour = Image(width: 16, height: 16, channels: 3, pixels: Array(repeating: [200, 100, 50], count: 256).flatMap { $0 })
        let grey = try JPEG.decode(JPEG.encode(colour), path: "memory", channels: 1)
        let luma = 0.299 * 200 + 0.587 * 100 + 0.114 * 50
        #expect(grey.pixels.allSatisfy { abs(Double($0) - luma) <= 3 })

        let greySource = Fixtures.pattern(width: 16, height: 16, channels: 1)
        let replicated = try JPEG.decode(JPEG.encode(greySource), path: "memory", channels: 3)
        for index in 0..<256 {
            #expect(replicated.pixels[3 * index] == replicated.pixels[3 * index + 1])
            #expect(replicated.pixels[3 * index] == replicated.pixels[3 * index + 2])
        }
    }

    /// A 96-pixel image asked for at least 12 * n pixels must come out at scale n/8, the
    /// smallest that is not below the target, for every n.
    @Test(arguments: [1, 3])
    func dctScalingPicksTheSmallestScaleNotBelowTheTarget(channels: Int) throws {
        let bytes = JPEG.encode(Fixtures.pattern(width: 96, height: 80, channels: channels))
        for numerator in 1...8 {
            let decoded = try JPEG.decode(
                bytes, path: "memory", channels: channels, minimumWidth: 12 * numerator - 5, minimumHeight: 1)
            #expect(decoded.width == 12 * numerator, "scale \(numerator)/8")
            #expect(decoded.height == 10 * numerator, "scale \(numerator)/8")
        }
        let larger = try JPEG.decode(bytes, path: "memory", channels: channels, minimumWidth: 200, minimumHeight: 200)
        #expect(larger.width == 96 && larger.height == 80)
    }

    @Test func infoReadsTheHeader() throws {
        let info = try JPEG.info(of: JPEG.encode(Fixtures.pattern(width: 20, height: 10, channels: 3)), path: "memory")
        #expect(info == JPEG.Info(width: 20, height: 10, components: 3, progressive: false))
    }

    @Test func truncatedScanIsCorruptNotGreyFilled() {
        let bytes = JPEG.encode(Fixtures.pattern(width: 64, height: 64, channels: 1))
        let truncated = bytes.prefix(bytes.count / 2)
        #expect {
            _ = try JPEG.decode(truncated, path: "cut.jpg", channels: 1)
        } throws: { error in
            guard case .corruptJPEG(let path, let reason) = error as? DatasetError else { return false }
            return path == "cut.jpg" && reason.contains("Premature end")
        }
    }

    /// A few kilobytes whose header claims 32000 x 32000 (a progressive file would make libjpeg
    /// hold 2 GB of coefficients) or the format's largest size are refused from the header.
    @Test(arguments: [32000, 65500])
    func headerDeclaringMorePixelsThanTheLimitIsRefusedBeforeDecoding(side: Int) {
        let small = JPEG.encode(Fixtures.pattern(width: 64, height: 64, channels: 1), options: [.progressive, .arithmeticCoding])
        let bomb = Fixtures.declaringSize(small, width: side, height: side)
        #expect(bomb.count < 8000)
        #expect(throws: DatasetError.imageTooLarge(path: "bomb.jpg", width: side, height: side, limit: JPEG.defaultMaximumPixels)) {
            try JPEG.decode(bomb, path: "bomb.jpg", channels: 1, minimumWidth: 128, minimumHeight: 128)
        }
    }

    @Test func pixelLimitIsInclusiveAndCountsTheDeclaredSize() throws {
        let bytes = JPEG.encode(Fixtures.pattern(width: 40, height: 30, channels: 1))
        #expect(try JPEG.decode(bytes, path: "a.jpg", channels: 1, maximumPixels: 1200).width == 40)
        #expect(throws: DatasetError.imageTooLarge(path: "a.jpg", width: 40, height: 30, limit: 1199)) {
            try JPEG.decode(bytes, path: "a.jpg", channels: 1, minimumWidth: 5, minimumHeight: 4, maximumPixels: 1199)
        }
    }

    /// A progressive file keeps all its coefficients (2 bytes per pixel) until the last scan;
    /// past libjpeg's memory bound it is refused cleanly, while a baseline file of the same size
    /// streams through a few rows at a time.
    @Test func decoderMemoryBoundRefusesCleanly() throws {
        let image = Fixtures.pattern(width: 512, height: 512, channels: 1)
        let progressive = JPEG.encode(image, options: [.progressive])
        #expect(throws: DatasetError.decoderMemoryExceeded(path: "p.jpg", limitBytes: 400_000)) {
            try JPEG.decode(progressive, path: "p.jpg", channels: 1, maximumPixels: 512 * 512, decoderMemory: 400_000)
        }
        let baseline = try JPEG.decode(JPEG.encode(image), path: "b.jpg", channels: 1, maximumPixels: 512 * 512, decoderMemory: 400_000)
        #expect(baseline.width == 512)
        let allowed = try JPEG.decode(
            progressive, path: "p.jpg", channels: 1, maximumPixels: 512 * 512,
            decoderMemory: JPEG.decoderMemoryLimit(maximumPixels: 512 * 512))
        #expect(allowed.pixels == baseline.pixels || Fixtures.meanAbsoluteDifference(allowed.pixels, baseline.pixels) < 1)
    }

    @Test(arguments: [JPEG.EncodingOptions.progressive, .arithmeticCoding, [.progressive, .arithmeticCoding]])
    func progressiveAndArithmeticFilesDecodeLikeBaseline(options: JPEG.EncodingOptions) throws {
        let original = Fixtures.pattern(width: 48, height: 40, channels: 3)
        let bytes = JPEG.encode(original, options: options)
        let info = try JPEG.info(of: bytes, path: "memory")
        #expect(info.progressive == options.contains(.progressive))
        let decoded = try JPEG.decode(bytes, path: "memory", channels: 3)
        #expect(Fixtures.meanAbsoluteDifference(decoded.pixels, original.pixels) < 4)
    }

    /// The Huffman decoder warns when a scan meets a marker early; the arithmetic one reads
    /// zeros instead, so the cut must be found from where the data ends.
    @Test(arguments: [1, 3], [JPEG.EncodingOptions.arithmeticCoding, []])
    func scanCutInHalfAndClosedWithEndMarkerIsRefused(channels: Int, options: JPEG.EncodingOptions) {
        let bytes = JPEG.encode(Fixtures.pattern(width: 96, height: 128, channels: channels), options: options)
        let scans = Fixtures.scans(of: bytes)
        let cut = Fixtures.cut(bytes, at: (scans.starts[0] + scans.end) / 2)
        #expect {
            _ = try JPEG.decode(cut, path: "cut.jpg", channels: channels, minimumWidth: 48, minimumHeight: 64)
        } throws: { error in
            switch error as? DatasetError {
            case .truncatedJPEG(let path, let reason): return options == .arithmeticCoding && path == "cut.jpg" && reason.contains("of 128")
            case .corruptJPEG(let path, let reason): return options == [] && path == "cut.jpg" && reason.contains("premature end")
            default: return false
            }
        }
    }

    /// An arithmetic encoder drops the zero bytes a flat area costs, so the data of an image
    /// with a black lower half ends half way down; that is no cut.
    @Test(arguments: [1, 3])
    func arithmeticCodedFileWithAFlatLowerHalfIsWhole(channels: Int) throws {
        var image = Fixtures.pattern(width: 64, height: 128, channels: channels)
        for index in (image.pixels.count / 2)..<image.pixels.count { image.pixels[index] = 0 }
        let arithmetic = try JPEG.decode(JPEG.encode(image, options: .arithmeticCoding), path: "a.jpg", channels: channels)
        let huffman = try JPEG.decode(JPEG.encode(image), path: "h.jpg", channels: channels)
        #expect(arithmetic == huffman)
    }

    /// Cut between scans and closed with an end marker, a progressive file shows the scans that
    /// arrived without any libjpeg warning.
    @Test(arguments: [JPEG.EncodingOptions.progressive, [.progressive, .arithmeticCoding]])
    func progressiveFileWithoutItsLastScansIsRefused(options: JPEG.EncodingOptions) throws {
        let bytes = JPEG.encode(Fixtures.pattern(width: 64, height: 64, channels: 3), options: options)
        let scans = Fixtures.scans(of: bytes)
        #expect(scans.starts.count > 3)
        for missing in [1, 3] {
            let cut = Fixtures.cut(bytes, at: scans.starts[scans.starts.count - missing])
            #expect(throws: DatasetError.truncatedJPEG(path: "p.jpg", reason: "the file ends before its last progressive scan")) {
                try JPEG.decode(cut, path: "p.jpg", channels: 3)
            }
        }
        #expect(try JPEG.decode(bytes, path: "p.jpg", channels: 3).width == 64)
    }

    /// Stored inverted with an Adobe marker (what Photoshop writes), CMYK (c, m, y, 255) and
    /// YCCK show the colour (c, m, y); grey is its luma.
    @Test(arguments: [JPEG.EncodingOptions(), .ycck, [.ycck, .progressive]])
    func adobeCMYKAndYCCKFilesDecodeToTheColoursTheyShow(options: JPEG.EncodingOptions) throws {
        let colours = Fixtures.pattern(width: 40, height: 32, channels: 3)
        let bytes = JPEG.encode(Self.cmyk(colours, { $0 }, key: 255), quality: 98, options: options)
        #expect(try JPEG.info(of: bytes, path: "cmyk.jpg").components == 4)
        let rgb = try JPEG.decode(bytes, path: "cmyk.jpg", channels: 3)
        #expect(Fixtures.meanAbsoluteDifference(rgb.pixels, colours.pixels) < 3)
        let grey = try JPEG.decode(bytes, path: "cmyk.jpg", channels: 1)
        let luma = (0..<(colours.width * colours.height)).map { (index: Int) -> UInt8 in
            let red = 0.299 * Double(colours.pixels[3 * index])
            let green = 0.587 * Double(colours.pixels[3 * index + 1])
            let blue = 0.114 * Double(colours.pixels[3 * index + 2])
            return UInt8((red + green + blue).rounded())
        }
        #expect(Fixtures.meanAbsoluteDifference(grey.pixels, luma) < 3)
    }

    /// A 4-channel image of `colours` with each colour value mapped by `value` and `key` as K.
    static func cmyk(_ colours: Image, _ value: (UInt8) -> UInt8, key: UInt8) -> Image {
        var pixels: [UInt8] = []
        for index in 0..<(colours.width * colours.height) {
            pixels += colours.pixels[(3 * index)..<(3 * index + 3)].map(value) + [key]
        }
        return Image(width: colours.width, height: colours.height, channels: 4, pixels: pixels)
    }

    /// Without the Adobe marker the values are ink amounts: (255 - r, 255 - g, 255 - b, 0) shows (r, g, b).
    @Test func cmykWithoutAnAdobeMarkerIsReadAsInk() throws {
        let colours = Fixtures.pattern(width: 24, height: 24, channels: 3)
        let ink = Self.cmyk(colours, { 255 - $0 }, key: 0)
        let bytes = Fixtures.removingSegments(JPEG.encode(ink, quality: 98), marker: 0xEE)
        let rgb = try JPEG.decode(bytes, path: "ink.jpg", channels: 3)
        #expect(Fixtures.meanAbsoluteDifference(rgb.pixels, colours.pixels) < 3)
    }

    /// A 12-bit file is valid but not decodable by an 8-bit libjpeg: say so, not "corrupt".
    @Test func twelveBitFileIsUnsupportedNotCorrupt() {
        var bytes = [UInt8](JPEG.encode(Fixtures.pattern(width: 16, height: 16, channels: 1)))
        let frame = bytes.indices.first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xC0 }!
        bytes[frame + 4] = 12
        #expect {
            _ = try JPEG.decode(Data(bytes), path: "deep.jpg", channels: 1)
        } throws: { error in
            guard case .unsupportedJPEG(let path, let reason) = error as? DatasetError else { return false }
            return path == "deep.jpg" && reason.contains("precision 12")
        }
    }

    @Test func otherFormatsAndEmptyFilesAreNamed() {
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13])
        #expect(throws: DatasetError.notJPEG(path: "a.jpg", detected: "a PNG image")) {
            try JPEG.decode(png, path: "a.jpg", channels: 1)
        }
        #expect(throws: DatasetError.notJPEG(path: "b.jpg", detected: "a text file")) {
            try JPEG.decode(Data("hello, world\n".utf8), path: "b.jpg", channels: 1)
        }
        #expect(throws: DatasetError.emptyFile(path: "c.jpg")) {
            try JPEG.decode(Data(), path: "c.jpg", channels: 1)
        }
    }

    @Test(.enabled(if: Fixtures.sharedData != nil, Comment(rawValue: Fixtures.sharedDataMissing)))
    func realFullSizeFilesDecodeIncludingProgressiveAndRGB() throws {
        let raw = Fixtures.sharedData!.appendingPathComponent("chest2-raw")
        let manifest = try String(contentsOf: raw.appendingPathComponent("MANIFEST.csv"), encoding: .utf8)
        let rows = CSV.rows(manifest).dropFirst()
        #expect(rows.count == 40)
        var kinds = Set<String>()
        for row in rows {
            let bytes = try Data(contentsOf: raw.appendingPathComponent(row[0]))
            let info = try JPEG.info(of: bytes, path: row[0])
            #expect(info.width == Int(row[2]) && info.height == Int(row[3]), "\(row[0])")
            #expect(info.components == (row[4] == "RGB" ? 3 : 1), "\(row[0])")
            #expect(info.progressive == (row[5] == "progressive"), "\(row[0])")
            let image = try JPEG.decode(bytes, path: row[0], channels: 1, minimumWidth: 128, minimumHeight: 128)
            #expect(image.width >= 128 && image.height >= 128, "\(row[0])")
            let scale = (1...8).first { (info.width * $0 + 7) / 8 == image.width && (info.height * $0 + 7) / 8 == image.height }
            #expect(scale != nil, "\(row[0]) decoded at \(image.width)x\(image.height), not a DCT scale")
            if let scale, scale > 1 {
                #expect(min((info.width * (scale - 1) + 7) / 8, (info.height * (scale - 1) + 7) / 8) < 128, "\(row[0])")
            }
            kinds.insert("\(row[4])-\(row[5])")
        }
        #expect(kinds.isSuperset(of: ["L-baseline", "L-progressive", "RGB-baseline"]))
    }

    /// Real X-rays re-encoded with arithmetic coding: their data runs to the last iMCU row, so
    /// none is taken for a cut.
    @Test(.enabled(if: Fixtures.sharedData != nil, Comment(rawValue: Fixtures.sharedDataMissing)))
    func realFilesReencodedWithArithmeticCodingAreWhole() throws {
        let raw = Fixtures.sharedData!.appendingPathComponent("chest2-raw")
        let folder = try ImageFolder.scan(raw)
        for image in folder.images {
            let bytes = try Data(contentsOf: folder.url(of: image))
            let decoded = try JPEG.decode(bytes, path: image.path, channels: 1, minimumWidth: 256, minimumHeight: 256)
            for options in [JPEG.EncodingOptions.arithmeticCoding, [.arithmeticCoding, .progressive]] {
                let reencoded = JPEG.encode(decoded, quality: 90, options: options)
                #expect(throws: Never.self, "\(image.path)") { try JPEG.decode(reencoded, path: image.path, channels: 1) }
            }
        }
    }
}

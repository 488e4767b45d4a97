@testable import Data
import Foundation
import Testing

/// DICOM decoding (DCMTK) of files the tests write (`DICOMWriter`), against the display
/// pipeline of the standard computed here: the modality LUT (slope and intercept), the linear
/// VOI window of PS3.3 C.11.2.1.2.1 onto 0...65535, and MONOCHROME1's inversion.
@Suite struct DICOMTests {
    /// PS3.3 C.11.2.1.2.1, "linear": x ≤ c − ½ − (w − 1)/2 → 0; x > c − ½ + (w − 1)/2 → max;
    /// otherwise ((x − (c − ½)) / (w − 1) + ½)·max.
    static func windowed(_ x: Double, center c: Double, width w: Double) -> Double {
        if x <= c - 0.5 - (w - 1) / 2 { return 0 }
        if x > c - 0.5 + (w - 1) / 2 { return 65535 }
        return ((x - (c - 0.5)) / (w - 1) + 0.5) * 65535
    }

    func decodeGrey(_ writer: DICOMWriter) throws -> [Double] {
        guard case .sixteenBit(let image) = try DICOM.decode(writer.data, path: "test.dcm", channels: 1) else {
            Issue.record("a grey DICOM image should decode to 16 bits")
            return []
        }
        #expect(image.width == writer.columns && image.height == writer.rows && image.channels == 1)
        return image.samples.map(Double.init)
    }

    /// Within 1 part in 10,000 of the display range: DCMTK evaluates the window in its own
    /// arithmetic, which may round differently from this double-precision formula.
    func expectClose(_ found: [Double], _ expected: [Double]) {
        #expect(found.count == expected.count)
        for (index, (a, b)) in zip(found, expected).enumerated() where abs(a - b) > 6.6 {
            Issue.record("sample \(index): decoded \(a), expected \(b)")
        }
    }

    @Test func theWindowAndTheRescaleOfTheFileAreAppliedAsTheStandardSays() throws {
        let values = [0, 100, 500, 1000, 1500, 2000, 2500, 3000, 4095, 1234, 777, 3333]
        var writer = DICOMWriter(rows: 3, columns: 4)
        writer.bitsStored = 12
        writer.values = values
        writer.rescale = (slope: 2, intercept: -1024)
        writer.window = (center: 1000, width: 4000)
        let expected = values.map { Self.windowed(2 * Double($0) - 1024, center: 1000, width: 4000) }
        expectClose(try decodeGrey(writer), expected)
    }

    @Test func monochromeOneIsInvertedSoThatDenserIsBrighter() throws {
        var writer = DICOMWriter(rows: 2, columns: 3)
        writer.values = [0, 1000, 2000, 3000, 4000, 5000]
        writer.window = (center: 2500, width: 5000)
        let plain = try decodeGrey(writer)
        writer.photometric = "MONOCHROME1"
        let inverted = try decodeGrey(writer)
        expectClose(inverted, plain.map { 65535 - $0 })
        #expect(inverted.first! > inverted.last!)
    }

    @Test func signedPixelsAndAWindowOfHounsfieldUnits() throws {
        // CT-like: signed stored values, intercept −1024, a lung window (−600, 1500).
        let values = [-2000, -1024, -600, 0, 150, 1000, 3000, -32768]
        var writer = DICOMWriter(rows: 2, columns: 4)
        writer.signed = true
        writer.values = values
        writer.rescale = (slope: 1, intercept: -1024)
        writer.window = (center: -600, width: 1500)
        expectClose(try decodeGrey(writer), values.map { Self.windowed(Double($0) - 1024, center: -600, width: 1500) })
    }

    @Test func withoutAWindowThePixelRangeSpansTheDisplay() throws {
        var writer = DICOMWriter(rows: 1, columns: 4)
        writer.bitsAllocated = 8
        writer.bitsStored = 8
        writer.values = [10, 60, 110, 210]
        let found = try decodeGrey(writer)
        #expect(found.first! <= 1 && found.last! >= 65534)
        // Linear in between: 60 is a quarter of the way from 10 to 210.
        #expect(abs(found[1] / 65535 - 0.25) < 0.01 && abs(found[2] / 65535 - 0.5) < 0.01)
    }

    @Test func colourImagesDecodeToTheirRGBSamplesAndToLumaForGrey() throws {
        var writer = DICOMWriter(rows: 1, columns: 2)
        writer.photometric = "RGB"
        writer.samplesPerPixel = 3
        writer.bitsAllocated = 8
        writer.bitsStored = 8
        writer.values = [255, 0, 0, 10, 200, 30]
        guard case .eightBit(let rgb) = try DICOM.decode(writer.data, path: "rgb.dcm", channels: 3) else {
            Issue.record("colour decodes to 8 bits")
            return
        }
        #expect(rgb.pixels == [255, 0, 0, 10, 200, 30])
        guard case .eightBit(let grey) = try DICOM.decode(writer.data, path: "rgb.dcm", channels: 1) else { return }
        #expect(grey.pixels == [PNGTests.luma(255, 0, 0), PNGTests.luma(10, 200, 30)])
    }

    @Test func theNetworkInputIsTheWindowedImageAt8Bits() throws {
        var writer = DICOMWriter(rows: 2, columns: 2)
        writer.values = [0, 1000, 2000, 4000]
        writer.window = (center: 2000, width: 4000)
        let image = try ImageFile.decode(writer.data, path: "x.dcm", channels: 1, side: 2)
        let expected = writer.values.map { Self.windowed(Double($0), center: 2000, width: 4000) / 257 }
        for (found, value) in zip(image.pixels, expected) { #expect(abs(Double(found) - value) <= 1) }
    }

    @Test func theContentNotTheNameSaysDICOM() throws {
        var writer = DICOMWriter(rows: 1, columns: 1)
        writer.values = [7]
        #expect(ImageFormat.detect(writer.data) == .dicom)
        #expect(ImageFormat.detect(Data(count: 132)) == nil)
        let folder = NSTemporaryDirectory() + "bstrain-dicom-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try writer.data.write(to: URL(fileURLWithPath: folder + "/1.2.840.99"))   // an archive's UID name
        try writer.data.write(to: URL(fileURLWithPath: folder + "/IM0001"))
        try writer.data.write(to: URL(fileURLWithPath: folder + "/scan.dcm"))
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: folder + "/README"))
        #expect(mkfifo(folder + "/pipe", 0o600) == 0)   // never opened: it would block the search
        #expect(try ImageFileSearch.relativePaths(under: folder) == ["1.2.840.99", "IM0001", "scan.dcm"])
    }

    @Test func badFilesAreRefusedWithTheirReason() throws {
        var writer = DICOMWriter(rows: 4, columns: 4)
        writer.values = Array(0..<16)
        let whole = writer.data
        #expect(throws: DatasetError.self) { try DICOM.decode(whole.prefix(whole.count - 10), path: "cut.dcm", channels: 1) }
        #expect(throws: DatasetError.imageTooLarge(path: "big.dcm", width: 4, height: 4, limit: 15)) {
            try DICOM.decode(whole, path: "big.dcm", channels: 1, maximumPixels: 15)
        }
        writer.omitsPixelData = true
        #expect(throws: DatasetError.unsupportedDICOM(path: "sr.dcm", reason: "it holds no image (no Pixel Data element)")) {
            try DICOM.decode(writer.data, path: "sr.dcm", channels: 1)
        }
        writer.omitsPixelData = false
        writer.transferSyntax = DICOMWriter.jpeg2000
        writer.pixelDataOverride = DICOMWriter.fragments(Data([0xFF, 0x4F, 0xFF, 0x51, 0, 0]))
        do {
            _ = try DICOM.decode(writer.data, path: "j2k.dcm", channels: 1)
            Issue.record("JPEG 2000 pixel data should be refused")
        } catch {
            #expect("\(error)".contains("JPEG 2000"), "the refusal names the transfer syntax: \(error)")
        }
    }
}

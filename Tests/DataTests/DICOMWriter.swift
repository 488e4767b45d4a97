import Foundation

/// Writes small DICOM Part 10 files (explicit VR little endian) for the DICOM tests, so that no
/// image file is committed and each test states the values it decodes.
struct DICOMWriter {
    static let explicitLittleEndian = "1.2.840.10008.1.2.1"
    static let jpeg2000 = "1.2.840.10008.1.2.4.90"
    static let secondaryCapture = "1.2.840.10008.5.1.4.1.1.7"

    var rows: Int
    var columns: Int
    var photometric = "MONOCHROME2"
    var bitsAllocated = 16
    var bitsStored = 16
    var signed = false
    var samplesPerPixel = 1
    var rescale: (slope: Double, intercept: Double)?
    var window: (center: Double, width: Double)?
    var transferSyntax = explicitLittleEndian
    /// Stored values, row by row (samples interleaved for colour).
    var values: [Int] = []
    /// nil: no Pixel Data element. Otherwise the element's raw value (the stored values
    /// packed by default; set it to encapsulate fragments).
    var pixelDataOverride: Data?
    var omitsPixelData = false

    var data: Data {
        var meta = Data()
        meta.append(element(0x0002, 0x0001, "OB", Data([0, 1])))
        meta.append(element(0x0002, 0x0002, "UI", text(Self.secondaryCapture, pad: 0)))
        meta.append(element(0x0002, 0x0003, "UI", text("1.2.3.4", pad: 0)))
        meta.append(element(0x0002, 0x0010, "UI", text(transferSyntax, pad: 0)))
        var file = Data(count: 128)
        file.append(contentsOf: Array("DICM".utf8))
        file.append(element(0x0002, 0x0000, "UL", little(UInt32(meta.count))))
        file.append(meta)
        file.append(element(0x0008, 0x0016, "UI", text(Self.secondaryCapture, pad: 0)))
        file.append(element(0x0008, 0x0018, "UI", text("1.2.3.4", pad: 0)))
        file.append(element(0x0028, 0x0002, "US", little(UInt16(samplesPerPixel))))
        file.append(element(0x0028, 0x0004, "CS", text(photometric, pad: 0x20)))
        if samplesPerPixel == 3 { file.append(element(0x0028, 0x0006, "US", little(UInt16(0)))) }
        file.append(element(0x0028, 0x0010, "US", little(UInt16(rows))))
        file.append(element(0x0028, 0x0011, "US", little(UInt16(columns))))
        file.append(element(0x0028, 0x0100, "US", little(UInt16(bitsAllocated))))
        file.append(element(0x0028, 0x0101, "US", little(UInt16(bitsStored))))
        file.append(element(0x0028, 0x0102, "US", little(UInt16(bitsStored - 1))))
        file.append(element(0x0028, 0x0103, "US", little(UInt16(signed ? 1 : 0))))
        if let window {
            file.append(element(0x0028, 0x1050, "DS", text(number(window.center), pad: 0x20)))
            file.append(element(0x0028, 0x1051, "DS", text(number(window.width), pad: 0x20)))
        }
        if let rescale {
            file.append(element(0x0028, 0x1052, "DS", text(number(rescale.intercept), pad: 0x20)))
            file.append(element(0x0028, 0x1053, "DS", text(number(rescale.slope), pad: 0x20)))
        }
        guard !omitsPixelData else { return file }
        if let pixelDataOverride {
            // Encapsulated: undefined length, closed by a sequence delimiter.
            file.append(tag(0x7FE0, 0x0010) + Data("OB".utf8) + Data([0, 0]) + little(UInt32.max))
            file.append(pixelDataOverride)
            file.append(tag(0xFFFE, 0xE0DD) + little(UInt32(0)))
        } else {
            file.append(element(0x7FE0, 0x0010, bitsAllocated == 8 ? "OB" : "OW", packedValues))
        }
        return file
    }

    /// Encapsulated pixel data of one fragment holding `bytes`: an empty offset table, then it.
    static func fragments(_ bytes: Data) -> Data {
        var data = tag(0xFFFE, 0xE000) + little(UInt32(0))
        data += tag(0xFFFE, 0xE000) + little(UInt32(bytes.count)) + bytes
        return data
    }

    private var packedValues: Data {
        var data = Data()
        for value in values {
            if bitsAllocated == 8 { data.append(UInt8(truncatingIfNeeded: value)) } else { data += little(UInt16(truncatingIfNeeded: value)) }
        }
        if data.count % 2 == 1 { data.append(0) }
        return data
    }

    private func element(_ group: UInt16, _ number: UInt16, _ vr: String, _ value: Data) -> Data {
        var data = Self.tag(group, number) + Data(vr.utf8)
        if ["OB", "OW", "OF", "SQ", "UT", "UN"].contains(vr) {
            data += Data([0, 0]) + Self.little(UInt32(value.count))
        } else {
            data += Self.little(UInt16(value.count))
        }
        return data + value
    }

    private static func tag(_ group: UInt16, _ number: UInt16) -> Data { little(group) + little(number) }

    private static func little<T: FixedWidthInteger>(_ value: T) -> Data {
        withUnsafeBytes(of: value.littleEndian) { Data($0) }
    }

    private func little<T: FixedWidthInteger>(_ value: T) -> Data { Self.little(value) }
    private func tag(_ group: UInt16, _ number: UInt16) -> Data { Self.tag(group, number) }

    /// Text padded to an even length, with NUL for UIDs and a space otherwise.
    private func text(_ string: String, pad: UInt8) -> Data {
        var data = Data(string.utf8)
        if data.count % 2 == 1 { data.append(pad) }
        return data
    }

    private func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}

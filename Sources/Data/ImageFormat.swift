import Foundation

/// The image formats bstrain decodes, told apart by their first bytes, never by the file's
/// name: a class folder may mix them, and a .jpg may hold a PNG.
public enum ImageFormat: Sendable {
    case jpeg
    case png
    case dicom

    /// The format whose signature `bytes` start with, or nil for anything else. A DICOM Part 10
    /// file starts with a 128-byte preamble and "DICM".
    public static func detect<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> ImageFormat? {
        if bytes.starts(with: jpegSignature) { return .jpeg }
        if bytes.starts(with: pngSignature) { return .png }
        if bytes.dropFirst(128).starts(with: dicomSignature) { return .dicom }
        return nil
    }

    /// What `head` (a file's first 12 bytes or fewer) looks like, for a message about a file
    /// that is not what it should be.
    static func describe(_ head: [UInt8]) -> String {
        func starts(_ signature: [UInt8]) -> Bool { head.starts(with: signature) }
        if starts(jpegSignature) { return "a JPEG image" }
        if starts([0x89, 0x50, 0x4E, 0x47]) { return "a PNG image" }
        if starts(Array("GIF8".utf8)) { return "a GIF image" }
        if starts(Array("BM".utf8)) { return "a BMP image" }
        if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A]) { return "a TIFF image" }
        if starts(Array("RIFF".utf8)), head.count >= 12, head[8..<12].elementsEqual("WEBP".utf8) { return "a WebP image" }
        if head.allSatisfy({ $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || (0x20..<0x7F).contains($0) }) { return "a text file" }
        return "unknown data starting with " + head.prefix(4).map { String(format: "0x%02X", $0) }.joined(separator: " ")
    }

    private static let dicomSignature = Array("DICM".utf8)
    private static let jpegSignature: [UInt8] = [0xFF, 0xD8, 0xFF]
    /// All eight bytes, so a file cut inside the signature is not taken for a PNG.
    private static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
}

import CJPEGBridge
import Foundation

/// JPEG reading and writing through libjpeg(-turbo), by way of the CJPEGBridge error manager.
public enum JPEG {
    /// Header facts of a JPEG file, read without decoding the scan.
    public struct Info: Equatable, Sendable {
        public var width: Int
        public var height: Int
        /// 1 (grey) or 3 (colour) as stored.
        public var components: Int
        public var progressive: Bool
    }

    /// Reads the header of `bytes`; `path` names the file in errors.
    public static func info(of bytes: Data, path: String) throws(DatasetError) -> Info {
        try checkSignature(bytes, path: path)
        var info = bstrain_jpeg_info()
        var message = [CChar](repeating: 0, count: 256)
        let status = bytes.withUnsafeBytes { raw in
            bstrain_jpeg_read_info(
                raw.bindMemory(to: UInt8.self).baseAddress, raw.count, &info, &message, message.count)
        }
        guard status == 0 else { throw .corruptJPEG(path: path, reason: text(message)) }
        return Info(
            width: Int(info.width), height: Int(info.height),
            components: Int(info.components), progressive: info.progressive != 0)
    }

    /// Decodes `bytes` into `channels` (1: grey, ITU-R 601 luma for colour files; 3: RGB,
    /// grey replicated), scaled in the DCT domain by the smallest factor n/8 whose output is
    /// still at least `minimumWidth` x `minimumHeight` (full size when none is).
    ///
    /// Any libjpeg warning (a truncated scan is one) counts as corruption.
    public static func decode(
        _ bytes: Data, path: String, channels: Int, minimumWidth: Int = 0, minimumHeight: Int = 0
    ) throws(DatasetError) -> Image {
        precondition(channels == 1 || channels == 3, "channels must be 1 or 3")
        try checkSignature(bytes, path: path)
        var pixels: UnsafeMutablePointer<UInt8>?
        var width: Int32 = 0
        var height: Int32 = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = bytes.withUnsafeBytes { raw in
            bstrain_jpeg_decode(
                raw.bindMemory(to: UInt8.self).baseAddress, raw.count,
                Int32(minimumWidth), Int32(minimumHeight), Int32(channels),
                &pixels, &width, &height, &message, message.count)
        }
        guard status == 0, let pixels else { throw .corruptJPEG(path: path, reason: text(message)) }
        defer { free(pixels) }
        let count = Int(width) * Int(height) * channels
        return Image(
            width: Int(width), height: Int(height), channels: channels,
            pixels: Array(UnsafeBufferPointer(start: pixels, count: count)))
    }

    /// Encodes an 8-bit grey or RGB image as a baseline JPEG at `quality` (1...100).
    public static func encode(_ image: Image, quality: Int = 95) -> Data {
        precondition(image.channels == 1 || image.channels == 3, "channels must be 1 or 3")
        var output: UnsafeMutablePointer<UInt8>?
        var size = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            bstrain_jpeg_encode(
                pixels.baseAddress, Int32(image.width), Int32(image.height), Int32(image.channels),
                Int32(quality), &output, &size, &message, message.count)
        }
        // Encoding valid pixels in memory can only fail on exhausted memory.
        guard status == 0, let output else { fatalError("JPEG encoding failed: \(text(message))") }
        defer { free(output) }
        return Data(bytes: output, count: size)
    }

    /// Rejects empty files and non-JPEG content up front, so the message says what the file is
    /// rather than libjpeg's "Not a JPEG file: starts with 0x89 0x50".
    private static func checkSignature(_ bytes: Data, path: String) throws(DatasetError) {
        guard !bytes.isEmpty else { throw .emptyFile(path: path) }
        let head = [UInt8](bytes.prefix(12))
        if head.count >= 3, head[0] == 0xFF, head[1] == 0xD8, head[2] == 0xFF { return }
        throw .notJPEG(path: path, detected: describeFormat(head))
    }

    private static func describeFormat(_ head: [UInt8]) -> String {
        func starts(_ signature: [UInt8]) -> Bool { head.starts(with: signature) }
        if starts([0x89, 0x50, 0x4E, 0x47]) { return "a PNG image" }
        if starts(Array("GIF8".utf8)) { return "a GIF image" }
        if starts(Array("BM".utf8)) { return "a BMP image" }
        if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A]) { return "a TIFF image" }
        if starts(Array("RIFF".utf8)), head.count >= 12, head[8..<12].elementsEqual("WEBP".utf8) { return "a WebP image" }
        if head.allSatisfy({ $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || (0x20..<0x7F).contains($0) }) { return "a text file" }
        return "unknown data starting with " + head.prefix(4).map { String(format: "0x%02X", $0) }.joined(separator: " ")
    }

    private static func text(_ message: [CChar]) -> String {
        let decoded = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return decoded.isEmpty ? "unknown libjpeg error" : decoded
    }
}

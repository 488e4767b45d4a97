import CJPEGBridge
import Foundation

/// JPEG reading and writing through libjpeg(-turbo), by way of the CJPEGBridge error manager.
public enum JPEG {
    /// Header facts of a JPEG file, read without decoding the scan.
    public struct Info: Equatable, Sendable {
        public var width: Int
        public var height: Int
        /// 1 (grey), 3 (colour) or 4 (CMYK, YCCK) as stored.
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
        switch bstrain_jpeg_status(UInt32(status)) {
        case BSTRAIN_JPEG_OK: break
        case BSTRAIN_JPEG_UNSUPPORTED: throw .unsupportedJPEG(path: path, reason: text(message))
        default: throw .corruptJPEG(path: path, reason: text(message))
        }
        return Info(
            width: Int(info.width), height: Int(info.height),
            components: Int(info.components), progressive: info.progressive != 0)
    }

    /// The most pixels an image may declare unless told otherwise: Pillow's default
    /// `Image.MAX_IMAGE_PIXELS` (a third of a gigabyte of RGBA), as widely used a bound as any.
    public static let defaultMaximumPixels = 89_478_485

    /// Decodes `bytes` into `channels` (1: grey, ITU-R 601 luma for colour files; 3: RGB,
    /// grey replicated), scaled in the DCT domain by the smallest factor n/8 whose output is
    /// still at least `minimumWidth` x `minimumHeight` (full size when none is), and turned
    /// upright as its EXIF orientation says (as Pillow's `ImageOps.exif_transpose`). CMYK and
    /// YCCK files are converted, taken as inverted when they carry Adobe's marker.
    ///
    /// A file whose header declares more than `maximumPixels` pixels is refused before anything
    /// is allocated, and libjpeg's own buffers are bounded to what such an image needs
    /// (`decoderMemoryLimit`). Any libjpeg warning (a truncated scan is one) counts as corruption,
    /// and so do the truncations libjpeg does not warn about: a progressive file without its last
    /// scans, and an arithmetic-coded scan cut short (see CJPEGBridge.c).
    public static func decode(
        _ bytes: Data, path: String, channels: Int, minimumWidth: Int = 0, minimumHeight: Int = 0,
        maximumPixels: Int = defaultMaximumPixels
    ) throws(DatasetError) -> Image {
        try decode(
            bytes, path: path, channels: channels, minimumWidth: minimumWidth, minimumHeight: minimumHeight,
            maximumPixels: maximumPixels, decoderMemory: decoderMemoryLimit(maximumPixels: maximumPixels))
    }

    /// `decode` with libjpeg's memory bound given directly, so tests can reach it with small files.
    static func decode(
        _ bytes: Data, path: String, channels: Int, minimumWidth: Int = 0, minimumHeight: Int = 0,
        maximumPixels: Int, decoderMemory: Int
    ) throws(DatasetError) -> Image {
        precondition(channels == 1 || channels == 3, "channels must be 1 or 3")
        try checkSignature(bytes, path: path)
        // The minimum size is the upright image's; a stored image turned by a quarter turn has it transposed.
        let orientation = ExifOrientation.read(from: bytes)
        let (storedWidth, storedHeight) = orientation.swapsAxes ? (minimumHeight, minimumWidth) : (minimumWidth, minimumHeight)
        var request = bstrain_jpeg_request(
            min_width: Int32(storedWidth), min_height: Int32(storedHeight), out_components: Int32(channels),
            max_pixels: UInt64(max(0, maximumPixels)), max_memory: UInt64(max(0, decoderMemory)))
        var decoded = bstrain_jpeg_image()
        var message = [CChar](repeating: 0, count: 256)
        let status = bytes.withUnsafeBytes { raw in
            bstrain_jpeg_decode(
                raw.bindMemory(to: UInt8.self).baseAddress, raw.count, &request, &decoded, &message, message.count)
        }
        switch bstrain_jpeg_status(UInt32(status)) {
        case BSTRAIN_JPEG_OK:
            break
        case BSTRAIN_JPEG_TOO_MANY_PIXELS:
            throw .imageTooLarge(path: path, width: Int(decoded.width), height: Int(decoded.height), limit: maximumPixels)
        case BSTRAIN_JPEG_OVER_MEMORY_LIMIT:
            throw .decoderMemoryExceeded(path: path, limitBytes: decoderMemory)
        case BSTRAIN_JPEG_TRUNCATED:
            throw .truncatedJPEG(path: path, reason: text(message))
        case BSTRAIN_JPEG_UNSUPPORTED:
            throw .unsupportedJPEG(path: path, reason: text(message))
        default:
            throw .corruptJPEG(path: path, reason: text(message))
        }
        guard let pixels = decoded.pixels else { throw .corruptJPEG(path: path, reason: text(message)) }
        defer { free(pixels) }
        let count = Int(decoded.width) * Int(decoded.height) * channels
        let stored = Image(
            width: Int(decoded.width), height: Int(decoded.height), channels: channels,
            pixels: Array(UnsafeBufferPointer(start: pixels, count: count)))
        return stored.applying(orientation)
    }

    /// Bytes libjpeg may allocate when images of up to `maximumPixels` pixels are allowed. A
    /// progressive file keeps every DCT coefficient (2 bytes per pixel and component) until its
    /// last scan: this is room for four full-resolution components (a CMYK file), plus 64 MiB
    /// for tables, row buffers and the padding of edge blocks.
    static func decoderMemoryLimit(maximumPixels: Int) -> Int {
        let pixels = min(max(0, maximumPixels), Int.max / 16)
        return pixels * 4 * 2 + (64 << 20)
    }

    /// How `encode` writes a file; `[]` is a baseline JPEG, as most software writes.
    public struct EncodingOptions: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }

        /// libjpeg's default progression script instead of one sequential scan.
        public static let progressive = EncodingOptions(rawValue: 1 << 0)
        /// Arithmetic instead of Huffman coding.
        public static let arithmeticCoding = EncodingOptions(rawValue: 1 << 1)
        /// A 4-channel image stored as YCCK instead of CMYK, as Adobe applications often do.
        public static let ycck = EncodingOptions(rawValue: 1 << 2)
    }

    /// Encodes an 8-bit image at `quality` (1...100): grey, RGB, or 4-channel CMYK, written as
    /// given with an Adobe marker, which readers take as inverted (0 is full ink).
    public static func encode(_ image: Image, quality: Int = 95, options: EncodingOptions = []) -> Data {
        precondition([1, 3, 4].contains(image.channels), "channels must be 1, 3 or 4")
        var encoding = bstrain_jpeg_encoding(
            quality: Int32(quality), progressive: options.contains(.progressive) ? 1 : 0,
            arithmetic: options.contains(.arithmeticCoding) ? 1 : 0, ycck: options.contains(.ycck) ? 1 : 0)
        var output: UnsafeMutablePointer<UInt8>?
        var size = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            bstrain_jpeg_encode(
                pixels.baseAddress, Int32(image.width), Int32(image.height), Int32(image.channels),
                &encoding, &output, &size, &message, message.count)
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
        guard ImageFormat.detect(bytes) == .jpeg else {
            throw .notJPEG(path: path, detected: ImageFormat.describe([UInt8](bytes.prefix(12))))
        }
    }

    private static func text(_ message: [CChar]) -> String { BridgeMessage.text(message, library: "libjpeg") }
}

import CPNGBridge
import Foundation

/// PNG reading through libpng, by way of the CPNGBridge error handling.
public enum PNG {
    /// Decodes `bytes` into `channels` (1: grey, ITU-R 601 luma for colour files; 3: RGB, grey
    /// replicated), whatever the file stores: grey, grey and alpha, RGB, RGBA or a palette, at
    /// 1 to 16 bits. Alpha is dropped (as Pillow's `convert("L")` and `convert("RGB")` drop it):
    /// radiographs carry none worth keeping, and compositing would invent a background.
    ///
    /// A file whose header declares more than `maximumPixels` pixels is refused before anything
    /// is allocated, and so is one too short to hold the image its header declares. A wrong CRC
    /// in any chunk, a bad zlib stream, too little image data, and a file that ends before its
    /// end chunk are all refused.
    public static func decode(
        _ bytes: Data, path: String, channels: Int, maximumPixels: Int = JPEG.defaultMaximumPixels
    ) throws(DatasetError) -> DecodedPixels {
        precondition(channels == 1 || channels == 3, "channels must be 1 or 3")
        guard !bytes.isEmpty else { throw .emptyFile(path: path) }
        var decoded = bstrain_png_image()
        var message = [CChar](repeating: 0, count: 256)
        let status = bytes.withUnsafeBytes { raw in
            bstrain_png_decode(
                raw.bindMemory(to: UInt8.self).baseAddress, raw.count, UInt64(max(0, maximumPixels)), &decoded,
                &message, message.count)
        }
        switch bstrain_png_status(UInt32(status)) {
        case BSTRAIN_PNG_OK:
            break
        case BSTRAIN_PNG_TOO_MANY_PIXELS:
            throw .imageTooLarge(path: path, width: Int(decoded.width), height: Int(decoded.height), limit: maximumPixels)
        case BSTRAIN_PNG_TRUNCATED:
            throw .truncatedPNG(path: path)
        default:
            throw .corruptPNG(path: path, reason: text(message))
        }
        guard let samples = decoded.samples else { throw .corruptPNG(path: path, reason: text(message)) }
        defer { free(samples) }
        return DecodedPixels(
            samples: samples, width: Int(decoded.width), height: Int(decoded.height), stored: Int(decoded.channels),
            bitDepth: Int(decoded.bit_depth), channels: channels)
    }

    private static func text(_ message: [CChar]) -> String { BridgeMessage.text(message, library: "libpng") }
}

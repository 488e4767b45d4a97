import CDICOMBridge
import Foundation

/// DICOM reading through DCMTK (by way of the C++ CDICOMBridge), rendered as a radiologist's
/// viewer first shows the image: Rescale Slope and Intercept applied, then the file's first
/// VOI window (Window Center and Width), else its first VOI LUT, else the range of its pixel
/// values; MONOCHROME1 inverted so that brighter always means denser. Bits stored 8 to 16,
/// signed or not, uncompressed or in the compressed transfer syntaxes DCMTK decodes (JPEG
/// baseline, extended and lossless, JPEG-LS, RLE); any other (JPEG 2000, which DCMTK's free
/// edition lacks, among them) is refused by name. Only the first frame of a multi-frame file
/// is read.
public enum DICOM {
    /// Decodes `bytes`, a DICOM Part 10 file, into `channels` (1: grey, ITU-R 601 luma for
    /// colour files; 3: RGB, grey replicated). Grey images keep 16 bits of display range until
    /// resized.
    public static func decode(
        _ bytes: Data, path: String, channels: Int, maximumPixels: Int = JPEG.defaultMaximumPixels
    ) throws(DatasetError) -> DecodedPixels {
        precondition(channels == 1 || channels == 3, "channels must be 1 or 3")
        guard !bytes.isEmpty else { throw .emptyFile(path: path) }
        var decoded = bstrain_dicom_image()
        var message = [CChar](repeating: 0, count: 256)
        let status = bytes.withUnsafeBytes { raw in
            bstrain_dicom_decode(
                raw.bindMemory(to: UInt8.self).baseAddress, raw.count, UInt64(max(0, maximumPixels)), &decoded,
                &message, message.count)
        }
        let reason = BridgeMessage.text(message, library: "DCMTK")
        switch bstrain_dicom_status(UInt32(status)) {
        case BSTRAIN_DICOM_OK:
            break
        case BSTRAIN_DICOM_TOO_MANY_PIXELS:
            throw .imageTooLarge(path: path, width: Int(decoded.width), height: Int(decoded.height), limit: maximumPixels)
        case BSTRAIN_DICOM_UNSUPPORTED_TRANSFER_SYNTAX:
            throw .unsupportedDICOM(path: path, reason: "its pixel data is compressed as \(reason), which bstrain cannot decode")
        case BSTRAIN_DICOM_NO_PIXEL_DATA:
            throw .unsupportedDICOM(path: path, reason: "it holds no image (no Pixel Data element)")
        default:
            throw .corruptDICOM(path: path, reason: reason)
        }
        guard let samples = decoded.samples else { throw .corruptDICOM(path: path, reason: reason) }
        defer { free(samples) }
        return DecodedPixels(
            samples: samples, width: Int(decoded.width), height: Int(decoded.height), stored: Int(decoded.channels),
            bitDepth: Int(decoded.bit_depth), channels: channels)
    }
}

import Foundation

/// An image file's bytes to the network's input, whichever format they hold: the file's
/// content decides the decoder (`ImageFormat`), not its extension.
public enum ImageFile {
    /// `bytes` decoded into `channels` (1: grey, 3: RGB) and resampled to `side` x `side` 8-bit
    /// pixels (`Image.resized`). A JPEG is first DCT-scaled to the smallest size not below
    /// `side`; a 16-bit PNG or a DICOM image is averaged at 16 bits and rounded to 8 once. A header declaring
    /// more than `maximumPixels` pixels is refused before decoding.
    public static func decode(
        _ bytes: Data, path: String, channels: Int, side: Int, maximumPixels: Int = JPEG.defaultMaximumPixels
    ) throws(DatasetError) -> Image {
        guard !bytes.isEmpty else { throw .emptyFile(path: path) }
        switch ImageFormat.detect(bytes) {
        case .jpeg:
            return try JPEG.decode(
                bytes, path: path, channels: channels, minimumWidth: side, minimumHeight: side, maximumPixels: maximumPixels
            ).resized(width: side, height: side)
        case .png:
            return try PNG.decode(bytes, path: path, channels: channels, maximumPixels: maximumPixels)
                .resized(width: side, height: side)
        case .dicom:
            return try DICOM.decode(bytes, path: path, channels: channels, maximumPixels: maximumPixels)
                .resized(width: side, height: side)
        case nil:
            throw .unsupportedImageFormat(path: path, detected: ImageFormat.describe([UInt8](bytes.prefix(12))))
        }
    }
}

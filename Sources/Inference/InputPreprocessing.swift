/// How bstrain turns an image file into the network's input, stated in a weights file's
/// metadata so that someone feeding the model from another language or framework can do the
/// same without reading Swift (the tensor layout, NHWC, is stated under "layout" by
/// `SafetensorsFile`). Written, never read back: the code below is what it describes
/// (`ImageFile.decode`, `Image.resized`, `BatchConversion`).
public enum InputPreprocessing {
    /// The metadata keys and their text for a network of `imageSize` x `imageSize` x `channels` input.
    public static func metadata(imageSize: Int, channels: Int) -> [String: String] {
        [
            "preprocessing_scale": "float32 input = pixel / 127.5 - 1, from 8-bit pixels (0-255) to [-1, 1]; 16-bit PNG "
                + "samples are divided by 257 (65535 -> 255) after resizing, rounded once",
            "preprocessing_colour": channels == 1
                ? "1 channel, grey: colour images become ITU-R 601 luma (0.299 R + 0.587 G + 0.114 B, as Pillow's "
                    + "convert(\"L\")); alpha is dropped"
                : "3 channels, RGB: grey images are replicated into all three; alpha is dropped",
            "preprocessing_resize": "\(imageSize) x \(imageSize), aspect ratio not kept: area averaging along an axis "
                + "that shrinks, bilinear along one that grows; JPEGs are turned upright by their EXIF orientation and "
                + "first DCT-scaled by libjpeg to the smallest n/8 of their size not below \(imageSize)",
        ]
    }
}

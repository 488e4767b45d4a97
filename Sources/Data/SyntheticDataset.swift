import Support
import Foundation

/// A small synthetic image set for demos and tests, written as real grey JPEGs.
///
/// Class c shows sinusoidal stripes varying along the direction at angle 180°·c/classes from
/// the x axis (±8° jitter; class 0 has vertical stripes), with 3 + 3·c/classes
/// cycles per image width (±10%), so orientation and frequency both tell the classes apart
/// (frequency survives the rotation augmentation). Each class has two visibly different
/// sub-styles, alternating by image index, for the data-mining K-means to find: stripes over
/// a mid-grey field, or stripes inside a bright blob at a random place on a dark field.
/// Gaussian noise (σ = 12 grey levels) is added. Deterministic for a seed.
///
/// Layout: `train/<class>/` with `imagesPerClass` images per class, and `val/<class>/` and
/// `test/<class>/` with a quarter as many (at least one), every image distinct. Classes are
/// named `class-0`, `class-1`, ...
public enum SyntheticDataset {
    /// The split folders written, with the share of `imagesPerClass` each gets.
    public static let splits: [(name: String, share: Double)] = [("train", 1), ("val", 0.25), ("test", 0.25)]

    public static func write(
        to directory: URL, classes: Int = 2, imagesPerClass: Int = 200, size: Int = 64, seed: UInt64 = 1
    ) throws(DatasetError) {
        guard classes >= 2 else { throw .invalidOption(name: "--classes", value: "\(classes)", expected: "at least 2") }
        guard imagesPerClass >= 1 else {
            throw .invalidOption(name: "--images-per-class", value: "\(imagesPerClass)", expected: "at least 1")
        }
        guard size >= 8 else { throw .invalidOption(name: "--image-size", value: "\(size)", expected: "at least 8 pixels") }
        for (splitIndex, split) in splits.enumerated() {
            let count = imageCount(share: split.share, imagesPerClass: imagesPerClass)
            for label in 0..<classes {
                let folder = directory.appendingPathComponent(split.name).appendingPathComponent(className(label))
                do {
                    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                } catch {
                    throw .unwritableFile(path: folder.path, reason: error.localizedDescription)
                }
                for index in 0..<count {
                    let key = SplitMix64.key(seed, UInt64(splitIndex), UInt64(label), UInt64(index))
                    let image = render(label: label, classes: classes, style: index % 2, size: size, key: key)
                    let file = folder.appendingPathComponent(String(format: "%@-%04d.jpg", className(label), index))
                    do {
                        try JPEG.encode(image, quality: 90).write(to: file)
                    } catch {
                        throw .unwritableFile(path: file.path, reason: error.localizedDescription)
                    }
                }
            }
        }
    }

    public static func className(_ label: Int) -> String { "class-\(label)" }

    /// Images per class in a split with `share` of the training count (at least one).
    public static func imageCount(share: Double, imagesPerClass: Int) -> Int {
        max(1, Int((Double(imagesPerClass) * share).rounded()))
    }

    static func render(label: Int, classes: Int, style: Int, size: Int, key: UInt64) -> Image {
        var generator = SplitMix64(seed: key)
        let jitter = (Double(generator.nextUniform()) * 2 - 1) * 8
        let angle = (180 * Double(label) / Double(classes) + jitter) * Double.pi / 180
        let cycles = (3 + 3 * Double(label) / Double(classes)) * (0.9 + 0.2 * Double(generator.nextUniform()))
        let phase = 2 * Double.pi * Double(generator.nextUniform())
        let blobX = (0.3 + 0.4 * Double(generator.nextUniform())) * Double(size)
        let blobY = (0.3 + 0.4 * Double(generator.nextUniform())) * Double(size)
        let blobRadius = 0.25 * Double(size)
        let frequency = 2 * Double.pi * cycles / Double(size)
        var pixels = [UInt8](repeating: 0, count: size * size)
        for y in 0..<size {
            for x in 0..<size {
                let along = Double(x) * cos(angle) + Double(y) * sin(angle)
                let stripe = sin(frequency * along + phase)
                var value: Double
                if style == 0 {
                    value = 128 + 60 * stripe
                } else {
                    let distance2 = (Double(x) - blobX) * (Double(x) - blobX) + (Double(y) - blobY) * (Double(y) - blobY)
                    let blob = exp(-distance2 / (2 * blobRadius * blobRadius))
                    value = 30 + blob * (170 + 60 * stripe)
                }
                value += 12 * Double(generator.nextNormal())
                pixels[y * size + x] = UInt8(min(max(value.rounded(), 0), 255))
            }
        }
        return Image(width: size, height: size, channels: 1, pixels: pixels)
    }
}

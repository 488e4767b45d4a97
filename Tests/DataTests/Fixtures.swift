@testable import Data
import Foundation

/// Files and images the Data tests build for themselves.
enum Fixtures {
    /// `shared/data` beside the repository, or nil when this checkout has none.
    static let sharedData: URL? = {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().appendingPathComponent("../../../shared/data").standardizedFileURL
        return FileManager.default.fileExists(atPath: url.appendingPathComponent("chest2-raw").path) ? url : nil
    }()

    static let sharedDataMissing = "shared/data/chest2-raw not found beside the repository: real-JPEG tests skipped"

    /// One folder for everything this test process writes, removed when the process exits.
    static let scratch: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bstrain-data-tests-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: Fixtures.scratch) }
        return url
    }()

    /// A fresh, empty temporary folder.
    static func temporaryDirectory() -> URL {
        let url = scratch.appendingPathComponent(UUID().uuidString)
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A smooth pattern with some detail, so resizing and JPEG coding have something to keep.
    static func pattern(width: Int, height: Int, channels: Int, seed: Int = 0) -> Image {
        var pixels: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width {
                for channel in 0..<channels {
                    let value = 128 + 100 * sin(Double(x + 7 * seed) / 9 + Double(channel)) * cos(Double(y) / 13)
                    pixels.append(UInt8(value.rounded()))
                }
            }
        }
        return Image(width: width, height: height, channels: channels, pixels: pixels)
    }

    /// Writes `bytes` to `root/relativePath`, creating folders.
    static func write(_ bytes: Data, to root: URL, _ relativePath: String) {
        let url = root.appendingPathComponent(relativePath)
        try! FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try! bytes.write(to: url)
    }

    static func jpeg(width: Int = 24, height: Int = 24, channels: Int = 1, seed: Int = 0) -> Data {
        JPEG.encode(pattern(width: width, height: height, channels: channels, seed: seed))
    }

    /// A dataset folder with `counts[c]` small JPEGs in class folder `class-c`.
    static func imageFolder(counts: [Int], size: Int = 16, channels: Int = 1) -> URL {
        let root = temporaryDirectory()
        for (label, count) in counts.enumerated() {
            for index in 0..<count {
                write(jpeg(width: size, height: size, channels: channels, seed: 3 * label + index), to: root,
                      "class-\(label)/image-\(index).jpg")
            }
        }
        return root
    }

    /// `jpeg` with the size in its frame header (SOF) replaced: the header then declares an image
    /// its scan data does not hold, as a decompression bomb's does.
    static func declaringSize(_ jpeg: Data, width: Int, height: Int) -> Data {
        var bytes = [UInt8](jpeg)
        var index = 2
        while index + 9 < bytes.count {
            precondition(bytes[index] == 0xFF, "not at a marker")
            let marker = bytes[index + 1]
            if (0xC0...0xCF).contains(marker) && ![0xC4, 0xC8, 0xCC].contains(marker) {
                bytes.replaceSubrange((index + 5)..<(index + 9), with: [
                    UInt8(height >> 8), UInt8(height & 0xFF), UInt8(width >> 8), UInt8(width & 0xFF),
                ])
                return Data(bytes)
            }
            index += 2 + Int(bytes[index + 2]) << 8 + Int(bytes[index + 3])
        }
        preconditionFailure("no frame header")
    }

    /// The offsets of `jpeg`'s start-of-scan markers, and the end of the last scan's data.
    static func scans(of jpeg: Data) -> (starts: [Int], end: Int) {
        let bytes = [UInt8](jpeg)
        var starts: [Int] = []
        var index = 2
        while index + 3 < bytes.count {
            let marker = bytes[index + 1]
            if marker == 0xD9 { break }
            let length = Int(bytes[index + 2]) << 8 + Int(bytes[index + 3])
            index += 2 + length
            guard marker == 0xDA else { continue }
            starts.append(index - 2 - length)
            // Entropy-coded data runs to the next marker other than a stuffed 0xFF00 or an RSTn.
            while !(bytes[index] == 0xFF && bytes[index + 1] != 0 && !(0xD0...0xD7).contains(bytes[index + 1])) { index += 1 }
        }
        return (starts, index)
    }

    /// `jpeg` cut at byte `length` and closed with an end-of-image marker, as a file cut short
    /// and repaired by a careless tool looks.
    static func cut(_ jpeg: Data, at length: Int) -> Data {
        jpeg.prefix(length) + Data([0xFF, 0xD9])
    }

    /// `jpeg` without its segments of type `marker` (0xEE: Adobe's APP14).
    static func removingSegments(_ jpeg: Data, marker: UInt8) -> Data {
        let bytes = [UInt8](jpeg)
        var kept = Array(bytes[0..<2])
        var index = 2
        while index + 3 < bytes.count, bytes[index + 1] != 0xDA {
            let end = index + 2 + Int(bytes[index + 2]) << 8 + Int(bytes[index + 3])
            if bytes[index + 1] != marker { kept += bytes[index..<end] }
            index = end
        }
        return Data(kept + bytes[index...])
    }

    static func meanAbsoluteDifference(_ first: [UInt8], _ second: [UInt8]) -> Double {
        zip(first, second).reduce(0.0) { $0 + abs(Double($1.0) - Double($1.1)) } / Double(first.count)
    }
}

extension Fixtures {
    /// An in-memory cache of `labels.count` images whose pixel values are given, class names `class-<label>`.
    static func cache(labels: [Int], imageSize: Int, channels: Int = 1, pixels: [UInt8]? = nil) -> ImageCache {
        let classCount = (labels.max() ?? 0) + 1
        let folder = ImageFolder(
            root: URL(fileURLWithPath: "/memory"), classNames: (0..<classCount).map { "class-\($0)" },
            images: labels.enumerated().map { LabeledImage(path: "class-\($1)/\($0).jpg", label: $1) })
        let count = labels.count * imageSize * imageSize * channels
        return ImageCache(
            folder: folder, imageSize: imageSize, channels: channels,
            pixels: pixels ?? (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ $0 / 7) })
    }
}

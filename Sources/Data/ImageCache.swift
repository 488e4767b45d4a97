import Support
import Foundation
import Synchronization

/// A file left out of a split by `skipBad`, and why.
public struct SkippedImage: Equatable, Sendable {
    public var path: String
    public var error: DatasetError

    /// skipped.csv: a `path,reason` header, then one row per file, quoted as RFC 4180 asks, so
    /// a path holding a comma, quote or line break reads back as it is.
    public static func csv(_ skipped: [SkippedImage]) -> String {
        CSV.line(["path", "reason"]) + skipped.map { CSV.line([$0.path, "\($0.error)"]) }.joined()
    }
}

/// Every image of one split decoded once, resized to `imageSize` x `imageSize`, and held as
/// 8-bit pixels, so no epoch decodes an image twice. 16-bit PNGs are rounded to 8 bits here,
/// once, after resizing (`HighBitDepthImage.resized`): the network sees `pixel / 127.5 - 1`
/// of 8-bit values, whose steps (1/127.5) are finer than a radiograph's noise.
public struct ImageCache: Sendable {
    public let imageSize: Int
    /// 1 (grey) or 3 (RGB).
    public let channels: Int
    /// The split's images that decoded; index `i` here is pixel block `i` below.
    public let folder: ImageFolder
    /// (count, imageSize, imageSize, channels).
    public let pixels: [UInt8]
    /// Files left out because `skipBad` was set; empty otherwise.
    public let skipped: [SkippedImage]

    public var count: Int { folder.images.count }
    public var labels: [Int] { folder.images.map(\.label) }
    public var pixelsPerImage: Int { imageSize * imageSize * channels }

    /// Bytes the cache of `images` images will take.
    public static func byteCount(images: Int, imageSize: Int, channels: Int) -> Int {
        images * imageSize * imageSize * channels
    }

    /// A cache over pixels already in memory, (folder.count, imageSize, imageSize, channels).
    public init(folder: ImageFolder, imageSize: Int, channels: Int, pixels: [UInt8]) {
        precondition(pixels.count == Self.byteCount(images: folder.count, imageSize: imageSize, channels: channels))
        self.imageSize = imageSize
        self.channels = channels
        self.folder = folder
        self.pixels = pixels
        self.skipped = []
    }

    /// Decodes and resizes `folder` on `threads` threads.
    ///
    /// Each file is decoded as its content says (`ImageFile`): a JPEG with DCT scaling to the
    /// smallest scale not below `imageSize`, a PNG whole, then resampled to `imageSize` x
    /// `imageSize` (`Image.resized`). Colour files read as grey
    /// give ITU-R 601 luma; grey files read as RGB are replicated. A file declaring more than
    /// `maximumPixels` pixels is refused without being decoded. A bad file throws, unless
    /// `skipBad`, which leaves it out and lists it in `skipped`.
    public init(
        decoding folder: ImageFolder, imageSize: Int, channels: Int, threads: Int = 1, skipBad: Bool = false,
        maximumPixels: Int = JPEG.defaultMaximumPixels
    ) throws(DatasetError) {
        guard imageSize > 0 else {
            throw .invalidOption(name: "--image-size", value: "\(imageSize)", expected: "a positive number of pixels")
        }
        guard channels == 1 || channels == 3 else {
            throw .invalidOption(name: "--channels", value: "\(channels)", expected: "1 (grey) or 3 (RGB)")
        }
        guard maximumPixels > 0 else {
            throw .invalidOption(name: "--max-image-pixels", value: "\(maximumPixels)", expected: "a positive number of pixels")
        }
        let blockSize = imageSize * imageSize * channels
        var decoded = [UInt8](repeating: 0, count: folder.count * blockSize)
        var failures = [DatasetError?](repeating: nil, count: folder.count)
        decoded.withUnsafeMutableBufferPointer { decoded in
            failures.withUnsafeMutableBufferPointer { failures in
                // Files differ in size by 100x: threads take the next file as they finish, so
                // one thread does not end up with all the large ones.
                let nextFile = Atomic<Int>(0)
                parallelFor(max(1, threads), threads: threads) { _ in
                    while true {
                        let index = nextFile.add(1, ordering: .relaxed).oldValue
                        guard index < folder.count else { break }
                        do throws(DatasetError) {
                            let image = try Self.load(
                                folder.url(of: folder.images[index]), imageSize: imageSize, channels: channels,
                                maximumPixels: maximumPixels)
                            let block = UnsafeMutableBufferPointer(rebasing: decoded[(index * blockSize)..<((index + 1) * blockSize)])
                            _ = block.initialize(from: image.pixels)
                        } catch {
                            failures[index] = error
                        }
                    }
                }
            }
        }
        var skipped: [SkippedImage] = []
        var kept: [LabeledImage] = []
        for (index, failure) in failures.enumerated() {
            if let failure {
                guard skipBad else { throw failure }
                skipped.append(SkippedImage(path: folder.url(of: folder.images[index]).path, error: failure))
            } else {
                kept.append(folder.images[index])
            }
        }
        var keptFolder = folder
        keptFolder.images = kept
        for (label, count) in keptFolder.classCounts.enumerated() where count == 0 {
            let path = folder.root.appendingPathComponent(folder.classNames[label]).path
            let skippedOfClass = folder.classCounts[label]
            throw skippedOfClass > 0 ? .everyImageSkipped(path: path, skipped: skippedOfClass) : .emptyClassFolder(path: path)
        }
        self.imageSize = imageSize
        self.channels = channels
        self.folder = keptFolder
        self.pixels = skipped.isEmpty ? decoded : Self.compact(decoded, failures: failures, blockSize: blockSize)
        self.skipped = skipped
    }

    /// The cached pixels of image `index`.
    public func image(at index: Int) -> Image {
        Image(
            width: imageSize, height: imageSize, channels: channels,
            pixels: Array(pixels[(index * pixelsPerImage)..<((index + 1) * pixelsPerImage)]))
    }

    private static func load(_ url: URL, imageSize: Int, channels: Int, maximumPixels: Int) throws(DatasetError) -> Image {
        let bytes = try RegularFile.contents(of: url.path)
        return try ImageFile.decode(bytes, path: url.path, channels: channels, side: imageSize, maximumPixels: maximumPixels)
    }

    private static func compact(_ decoded: [UInt8], failures: [DatasetError?], blockSize: Int) -> [UInt8] {
        var kept: [UInt8] = []
        kept.reserveCapacity(decoded.count)
        for (index, failure) in failures.enumerated() where failure == nil {
            kept += decoded[(index * blockSize)..<((index + 1) * blockSize)]
        }
        return kept
    }
}

@testable import Data
import Foundation
import Testing

@Suite struct ImageCacheTests {
    @Test func decodesEveryImageResizedInSampleOrder() throws {
        let root = Fixtures.temporaryDirectory()
        let big = Fixtures.pattern(width: 90, height: 50, channels: 1)
        let small = Fixtures.pattern(width: 10, height: 12, channels: 1, seed: 1)
        Fixtures.write(JPEG.encode(big, quality: 100), to: root, "a/big.jpg")
        Fixtures.write(JPEG.encode(small, quality: 100), to: root, "b/small.jpg")
        let cache = try ImageCache(decoding: ImageFolder.scan(root), imageSize: 20, channels: 1, threads: 2)
        #expect(cache.count == 2 && cache.labels == [0, 1])
        #expect(cache.pixels.count == ImageCache.byteCount(images: 2, imageSize: 20, channels: 1))
        #expect(Fixtures.meanAbsoluteDifference(cache.image(at: 0).pixels, big.resized(width: 20, height: 20).pixels) < 3)
        #expect(Fixtures.meanAbsoluteDifference(cache.image(at: 1).pixels, small.resized(width: 20, height: 20).pixels) < 3)
    }

    @Test func threadCountDoesNotChangeThePixels() throws {
        let folder = try ImageFolder.scan(Fixtures.imageFolder(counts: [3, 4], size: 30))
        let one = try ImageCache(decoding: folder, imageSize: 16, channels: 3, threads: 1)
        let two = try ImageCache(decoding: folder, imageSize: 16, channels: 3, threads: 2)
        #expect(one.pixels == two.pixels)
        #expect(one.pixels.count == 7 * 16 * 16 * 3)
    }

    @Test func byteCountIsImagesTimesPixels() {
        #expect(ImageCache.byteCount(images: 5216, imageSize: 128, channels: 1) == 85_458_944)
    }

    /// Every kind of bad file, each in its own dataset: the error names the file.
    @Test(arguments: ["truncated", "empty", "png", "text"])
    func badFileStopsLoadingWithItsName(kind: String) throws {
        let root = Fixtures.imageFolder(counts: [2, 2])
        let bad = root.appendingPathComponent("class-1/bad.jpg")
        Fixtures.write(Self.badBytes(kind), to: root, "class-1/bad.jpg")
        let folder = try ImageFolder.scan(root)
        #expect {
            try ImageCache(decoding: folder, imageSize: 8, channels: 1)
        } throws: { error in
            switch error as? DatasetError {
            case .corruptJPEG(let path, _): return kind == "truncated" && path == bad.path
            case .emptyFile(let path): return kind == "empty" && path == bad.path
            // The content decides the decoder: a PNG named .jpg is read as a PNG, here cut in its header.
            case .truncatedPNG(let path): return kind == "png" && path == bad.path
            case .unsupportedImageFormat(let path, let detected): return kind == "text" && path == bad.path && detected.contains("text")
            default: return false
            }
        }
    }

    /// Opening a FIFO for reading waits for a writer, and /dev/zero never ends: both are refused
    /// from what they are, without being read.
    @Test func fifosAndDevicesAreNotRegularFiles() throws {
        let root = Fixtures.imageFolder(counts: [2, 2])
        let fifo = root.appendingPathComponent("class-0/pipe.jpg").path
        let device = root.appendingPathComponent("class-1/zero.jpg").path
        #expect(mkfifo(fifo, 0o644) == 0)
        try FileManager.default.createSymbolicLink(atPath: device, withDestinationPath: "/dev/zero")
        let folder = try ImageFolder.scan(root)
        #expect(throws: DatasetError.notRegularFile(path: fifo, kind: "a named pipe (FIFO)")) {
            try ImageCache(decoding: folder, imageSize: 8, channels: 1)
        }
        let skipping = try ImageCache(decoding: folder, imageSize: 8, channels: 1, skipBad: true)
        #expect(skipping.skipped == [
            SkippedImage(path: fifo, error: .notRegularFile(path: fifo, kind: "a named pipe (FIFO)")),
            SkippedImage(path: device, error: .notRegularFile(path: device, kind: "a character device")),
        ])
    }

    @Test func skipBadLeavesBadFilesOutAndListsThem() throws {
        let root = Fixtures.imageFolder(counts: [2, 3])
        for kind in ["truncated", "empty", "png", "text"] {
            Fixtures.write(Self.badBytes(kind), to: root, "class-\(kind == "png" ? 0 : 1)/\(kind).jpg")
        }
        let cache = try ImageCache(decoding: ImageFolder.scan(root), imageSize: 8, channels: 1, skipBad: true)
        #expect(cache.count == 5)
        #expect(cache.folder.images.allSatisfy { $0.path.contains("image-") })
        #expect(Set(cache.skipped.map { URL(fileURLWithPath: $0.path).lastPathComponent })
            == ["truncated.jpg", "empty.jpg", "png.jpg", "text.jpg"])
        let clean = try ImageCache(decoding: ImageFolder.scan(Fixtures.imageFolder(counts: [2, 3])), imageSize: 8, channels: 1)
        #expect(cache.pixels == clean.pixels)
    }

    /// The decompression bomb is skipped like any bad file, without decoding it.
    @Test func fileDeclaringTooManyPixelsIsRefusedOrSkipped() throws {
        let root = Fixtures.imageFolder(counts: [2, 2])
        let small = JPEG.encode(Fixtures.pattern(width: 32, height: 32, channels: 1), options: [.progressive, .arithmeticCoding])
        Fixtures.write(Fixtures.declaringSize(small, width: 32000, height: 32000), to: root, "class-0/bomb.jpg")
        let bomb = root.appendingPathComponent("class-0/bomb.jpg").path
        let folder = try ImageFolder.scan(root)
        #expect(throws: DatasetError.imageTooLarge(path: bomb, width: 32000, height: 32000, limit: JPEG.defaultMaximumPixels)) {
            try ImageCache(decoding: folder, imageSize: 8, channels: 1)
        }
        let skipping = try ImageCache(decoding: folder, imageSize: 8, channels: 1, skipBad: true)
        #expect(skipping.count == 4 && skipping.skipped.map(\.path) == [bomb])
        #expect(throws: DatasetError.imageTooLarge(path: bomb, width: 32000, height: 32000, limit: 255)) {
            try ImageCache(decoding: folder, imageSize: 8, channels: 1, maximumPixels: 255)
        }
        #expect(throws: DatasetError.invalidOption(name: "--max-image-pixels", value: "0", expected: "a positive number of pixels")) {
            try ImageCache(decoding: folder, imageSize: 8, channels: 1, maximumPixels: 0)
        }
    }

    /// Quotes were written unescaped inside quoted fields, and quotes in reasons turned into '.
    @Test func skippedListReadsBackAsCSV() throws {
        let root = Fixtures.imageFolder(counts: [2, 2])
        let names = ["say \"hi\", there.jpg", "line\nbreak.jpg", "plain.jpg"]
        for name in names { Fixtures.write(Self.badBytes("text"), to: root, "class-0/\(name)") }
        let cache = try ImageCache(decoding: ImageFolder.scan(root), imageSize: 8, channels: 1, skipBad: true)
        let rows = CSV.rows(SkippedImage.csv(cache.skipped))
        #expect(rows.first == ["path", "reason"])
        #expect(rows.dropFirst().map { $0[0] } == cache.skipped.map(\.path))
        #expect(rows.dropFirst().map { $0[1] } == cache.skipped.map { "\($0.error)" })
        #expect(Set(rows.dropFirst().map { URL(fileURLWithPath: $0[0]).lastPathComponent }) == Set(names))
    }

    @Test func classWithOnlyBadFilesIsRefusedEvenWhenSkipping() throws {
        let root = Fixtures.imageFolder(counts: [2])
        Fixtures.write(Self.badBytes("empty"), to: root, "class-9/empty.jpg")
        Fixtures.write(Self.badBytes("text"), to: root, "class-9/text.jpg")
        #expect(throws: DatasetError.everyImageSkipped(path: root.appendingPathComponent("class-9").path, skipped: 2)) {
            try ImageCache(decoding: ImageFolder.scan(root), imageSize: 8, channels: 1, skipBad: true)
        }
    }

    @Test func invalidShapesAreRefused() throws {
        let folder = try ImageFolder.scan(Fixtures.imageFolder(counts: [1, 1]))
        #expect(throws: DatasetError.self) { try ImageCache(decoding: folder, imageSize: 8, channels: 2) }
        #expect(throws: DatasetError.self) { try ImageCache(decoding: folder, imageSize: 0, channels: 1) }
    }

    /// The 40 full-size originals, decoded and area-resized to 128 x 128, match the chest2 copies
    /// (made by Pillow's Lanczos after an extra 224 x 224 JPEG step) within a few grey levels.
    @Test(.enabled(if: Fixtures.sharedData != nil, Comment(rawValue: Fixtures.sharedDataMissing)))
    func realOriginalsMatchTheirPreparedCopies() throws {
        let data = Fixtures.sharedData!
        let raw = try ImageCache(decoding: ImageFolder.scan(data.appendingPathComponent("chest2-raw")), imageSize: 128, channels: 1, threads: 2)
        #expect(raw.count == 40)
        let prepared = data.appendingPathComponent("chest2/train")
        for (index, image) in raw.folder.images.enumerated() {
            let bytes = try Data(contentsOf: prepared.appendingPathComponent(image.path))
            let reference = try JPEG.decode(bytes, path: image.path, channels: 1)
            let difference = Fixtures.meanAbsoluteDifference(raw.image(at: index).pixels, reference.pixels)
            #expect(difference < 4, "\(image.path): mean difference \(difference)")
        }
    }

    static func badBytes(_ kind: String) -> Data {
        switch kind {
        case "truncated":
            let whole = JPEG.encode(Fixtures.pattern(width: 48, height: 48, channels: 1))
            return whole.prefix(whole.count * 2 / 3)
        case "empty": return Data()
        case "png": return Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52])
        default: return Data("this is not an image\n".utf8)
        }
    }
}

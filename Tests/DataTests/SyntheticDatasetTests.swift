@testable import Data
import Foundation
import Testing

@Suite struct SyntheticDatasetTests {
    @Test func writesTrainValidationAndTestFoldersOfRealJPEGs() throws {
        let root = Fixtures.temporaryDirectory()
        try SyntheticDataset.write(to: root, classes: 3, imagesPerClass: 8, size: 16, seed: 1)
        let dataset = try ImageFolderDataset(
            train: root.appendingPathComponent("train"), validation: root.appendingPathComponent("val"),
            test: root.appendingPathComponent("test"))
        #expect(dataset.classNames == ["class-0", "class-1", "class-2"])
        #expect(dataset.train.classCounts == [8, 8, 8])
        #expect(dataset.validation!.classCounts == [2, 2, 2] && dataset.test!.classCounts == [2, 2, 2])
        let cache = try ImageCache(decoding: dataset.train, imageSize: 16, channels: 1)
        #expect(cache.count == 24)
    }

    @Test func sameSeedWritesTheSameBytes() throws {
        func bytes(seed: UInt64) throws -> Data {
            let root = Fixtures.temporaryDirectory()
            try SyntheticDataset.write(to: root, classes: 2, imagesPerClass: 2, size: 16, seed: seed)
            return try Data(contentsOf: root.appendingPathComponent("train/class-1/class-1-0001.jpg"))
        }
        #expect(try bytes(seed: 4) == bytes(seed: 4))
        #expect(try bytes(seed: 4) != bytes(seed: 5))
    }

    /// Classes differ by stripe orientation: class 0 (angle 0) varies along a row, class 1
    /// (90 degrees) down a column. Sub-styles differ in brightness.
    @Test func classesAndSubStylesAreVisiblyDifferent() {
        func variation(_ image: Image, alongRows: Bool) -> Double {
            var total = 0.0
            for y in 1..<image.height { for x in 1..<image.width {
                let neighbour = alongRows ? image[x - 1, y] : image[x, y - 1]
                total += abs(Double(image[x, y]) - Double(neighbour))
            } }
            return total
        }
        for index in 0..<4 {
            let zero = SyntheticDataset.render(label: 0, classes: 2, style: 0, size: 32, key: UInt64(index))
            let one = SyntheticDataset.render(label: 1, classes: 2, style: 0, size: 32, key: UInt64(index))
            #expect(variation(zero, alongRows: true) > 1.3 * variation(zero, alongRows: false))
            #expect(variation(one, alongRows: false) > 1.3 * variation(one, alongRows: true))
        }
        let mean = { (image: Image) in image.pixels.reduce(0.0) { $0 + Double($1) } / Double(image.pixels.count) }
        let field = SyntheticDataset.render(label: 0, classes: 2, style: 0, size: 32, key: 1)
        let blob = SyntheticDataset.render(label: 0, classes: 2, style: 1, size: 32, key: 1)
        #expect(mean(field) - mean(blob) > 30)
    }

    @Test func oneClassIsRefused() {
        #expect(throws: DatasetError.self) {
            try SyntheticDataset.write(to: Fixtures.temporaryDirectory(), classes: 1)
        }
    }
}

@testable import Data
import Testing

@Suite struct BatchConversionTests {
    @Test func pixelsMapToMinusOneToOne() {
        let cache = Fixtures.cache(labels: [0, 1], imageSize: 1, channels: 3, pixels: [0, 255, 51, 102, 153, 204])
        var output = [Float](repeating: .nan, count: 6)
        cache.writeSample(1, into: &output)
        #expect(zip(output.prefix(3), [-0.2, 0.2, 0.6] as [Float]).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(output.suffix(3).allSatisfy { $0.isNaN })  // writes only its own image
        cache.writeSample(0, into: &output)
        #expect(zip(output.prefix(3), [-1, 1, -0.6] as [Float]).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    @Test func colourPixelsMoveTogether() {
        let cache = Fixtures.cache(labels: [0], imageSize: 2, channels: 3, pixels: Array(0..<12).map { UInt8($0 * 20) })
        var output = [Float](repeating: 0, count: 12)
        cache.writeSample(0, transform: AugmentationTransform(flipHorizontal: true), into: &output)
        let values = output.map { Int((($0 + 1) * 127.5 / 20).rounded()) }
        #expect(values == [3, 4, 5, 0, 1, 2, 9, 10, 11, 6, 7, 8])
    }
}

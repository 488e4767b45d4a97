@testable import Data
import Testing

@Suite struct ClusterDescriptorTests {
    @Test func featuresAreStandardisedOverTheSplit() {
        let cache = Fixtures.cache(labels: Array(repeating: 0, count: 6), imageSize: 40)
        let descriptors = ClusterDescriptor.descriptors(of: cache, threads: 2)
        let dimension = ClusterDescriptor.dimension
        #expect(descriptors.count == 6 * dimension)
        for feature in stride(from: 0, to: dimension, by: 97) {
            let values = (0..<6).map { Double(descriptors[$0 * dimension + feature]) }
            let mean = values.reduce(0, +) / 6
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 6
            #expect(abs(mean) < 1e-5)
            #expect(abs(variance - 1) < 1e-4 || variance == 0)
        }
    }

    @Test func constantFeaturesBecomeZero() {
        let cache = Fixtures.cache(labels: [0, 0, 0], imageSize: 32, pixels: Array(repeating: 90, count: 3 * 32 * 32))
        #expect(ClusterDescriptor.descriptors(of: cache, threads: 1).allSatisfy { $0 == 0 })
    }

    @Test func colourIsReducedToLuma() {
        let colour = Image(width: 1, height: 2, channels: 3, pixels: [255, 0, 0, 10, 200, 30])
        #expect(colour.grey.pixels == [76, 124])
    }
}

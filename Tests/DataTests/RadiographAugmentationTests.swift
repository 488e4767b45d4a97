@testable import Data
import Testing

@Suite struct RadiographAugmentationTests {
    let cache = Fixtures.cache(labels: [0, 1], imageSize: 16, channels: 3)

    func write(_ index: Int, _ transform: RadiographTransform) -> [Float] {
        var output = [Float](repeating: .nan, count: cache.pixelsPerImage)
        cache.writeSample(index, radiograph: transform, into: &output)
        return output
    }

    func unaugmented(_ index: Int) -> [Float] {
        var output = [Float](repeating: .nan, count: cache.pixelsPerImage)
        cache.writeSample(index, into: &output)
        return output
    }

    @Test func withEveryJitterZeroASampleIsWrittenAsCached() {
        let still = RadiographAugmentation(
            maxRotationDegrees: 0, scale: 1...1, maxTranslation: 0, maxBrightness: 0, maxContrast: 0, maxGamma: 1)
        for sample in 0..<20 {
            let transform = still.transform(seed: 4, epoch: 1, sampleIndex: sample)
            #expect(transform == RadiographTransform())
            // pixel / 255 · 2 - 1 against pixel / 127.5 - 1: equal up to float rounding.
            for (augmented, plain) in zip(write(sample % 2, transform), unaugmented(sample % 2)) {
                #expect(abs(augmented - plain) <= 1e-6)
            }
        }
    }

    @Test func aWholePixelShiftMovesTheContentAndRepeatsTheEdge() {
        let shifted = write(0, RadiographTransform(translationX: 1 / 16))
        let plain = unaugmented(0)
        let row = 16 * 3
        for y in 0..<16 {
            for channel in 0..<3 {
                // Column 0 repeats the edge; column x shows column x - 1.
                #expect(abs(shifted[y * row + channel] - plain[y * row + channel]) <= 1e-6)
                for x in 1..<16 {
                    #expect(abs(shifted[y * row + x * 3 + channel] - plain[y * row + (x - 1) * 3 + channel]) <= 1e-6)
                }
            }
        }
    }

    @Test func aQuarterTurnAboutTheCentreMovesPixelsAsAnExactRotation() {
        // Far beyond the drawn range, but exact on the pixel grid: output (x, y) shows (y, 15 - x).
        let turned = write(1, RadiographTransform(rotationDegrees: 90))
        let plain = unaugmented(1)
        for y in 0..<16 {
            for x in 0..<16 {
                #expect(abs(turned[(y * 16 + x) * 3] - plain[((15 - x) * 16 + y) * 3]) <= 1e-5)
            }
        }
    }

    @Test func everyDrawStaysWithinItsRangesAndTheOutputWithinMinusOneToOne() {
        let augmentation = RadiographAugmentation.standard
        let draws = (0..<500).map { augmentation.transform(seed: 9, epoch: 3, sampleIndex: $0) }
        #expect(draws.allSatisfy { abs($0.rotationDegrees) <= 10 && (0.9...1.1).contains($0.scale) })
        #expect(draws.allSatisfy { abs($0.translationX) <= 0.08 && abs($0.translationY) <= 0.08 })
        #expect(draws.allSatisfy { (0.9...1.1).contains($0.contrast) && abs($0.brightness) <= 0.1 })
        #expect(draws.allSatisfy { (0.8 - 1e-6...1.25 + 1e-6).contains($0.gamma) })
        #expect(draws.contains { $0.rotationDegrees > 8 } && draws.contains { $0.rotationDegrees < -8 })
        #expect(draws.contains { $0.gamma > 1.2 } && draws.contains { $0.gamma < 0.85 })
        let extremes = Fixtures.cache(labels: [0], imageSize: 8, pixels: (0..<64).map { $0 % 2 == 0 ? 0 : 255 })
        for transform in draws.prefix(100) {
            var output = [Float](repeating: .nan, count: 64)
            extremes.writeSample(0, radiograph: transform, into: &output)
            #expect(output.allSatisfy { (-1...1).contains($0) })
        }
    }

    @Test func drawIsKeyedBySeedEpochAndSampleOnly() {
        let augmentation = RadiographAugmentation.standard
        let first = augmentation.transform(seed: 3, epoch: 2, sampleIndex: 17)
        #expect(first == augmentation.transform(seed: 3, epoch: 2, sampleIndex: 17))
        #expect(write(0, first) == write(0, augmentation.transform(seed: 3, epoch: 2, sampleIndex: 17)))
        #expect(first != augmentation.transform(seed: 3, epoch: 3, sampleIndex: 17))
        #expect(first != augmentation.transform(seed: 4, epoch: 2, sampleIndex: 17))
        #expect(first != augmentation.transform(seed: 3, epoch: 2, sampleIndex: 18))
    }

    @Test func theLoaderWritesEachKindsDraw() {
        let loader = BatchLoader(cache: cache, augmentation: .radiograph, seed: 5, maxBatchSize: 2)
        loader.start(epoch: 1, plan: [[1, 0]])
        var input = [Float](repeating: 0, count: 2 * cache.pixelsPerImage)
        var labels: [Int] = []
        #expect(loader.next(into: &input, labels: &labels) == 2)
        let expected = [1, 0].enumerated().flatMap { position, sample in
            write(sample, RadiographAugmentation.standard.transform(seed: 5, epoch: 1, sampleIndex: position))
        }
        #expect(input == expected)
    }
}

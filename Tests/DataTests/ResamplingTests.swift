@testable import Data
import Testing

@Suite struct ResamplingTests {
    @Test(arguments: [(100, 37), (37, 100), (64, 64), (5, 128), (128, 7)])
    func constantImageStaysConstant(sizes: (Int, Int)) {
        let image = Image(width: sizes.0, height: sizes.1, channels: 3, pixels: Array(repeating: 173, count: sizes.0 * sizes.1 * 3))
        let resized = image.resized(width: sizes.1, height: sizes.0)
        #expect(resized.width == sizes.1 && resized.height == sizes.0)
        #expect(resized.pixels.allSatisfy { $0 == 173 })
    }

    @Test func areaDownscaleAveragesTheCheckerboard() {
        let checker = Image(width: 8, height: 8, channels: 1, pixels: (0..<64).map { ($0 % 8 + $0 / 8) % 2 == 0 ? 0 : 200 })
        let half = checker.resized(width: 4, height: 4)
        #expect(half.pixels.allSatisfy { $0 == 100 })
        // 8 -> 3 covers 8/3 input pixels per output: partial edge weights, still the mean.
        let third = checker.resized(width: 3, height: 3)
        #expect(third.pixels.allSatisfy { abs(Int($0) - 100) <= 12 })
        // 2x2 blocks of 0/200 downscaled by 4 also average exactly.
        let blocks = Image(width: 8, height: 8, channels: 1, pixels: (0..<64).map { (($0 % 8) / 2 + ($0 / 8) / 2) % 2 == 0 ? 0 : 200 })
        #expect(blocks.resized(width: 2, height: 2).pixels == [100, 100, 100, 100])
    }

    @Test func areaWeightsCoverPartialPixels() {
        // 3 -> 2: output 0 is input 0 plus half of input 1.
        let row = Image(width: 3, height: 1, channels: 1, pixels: [30, 90, 150])
        #expect(row.resized(width: 2, height: 1).pixels == [50, 130])
    }

    @Test func bilinearUpscaleOfARampIsLinearInside() {
        let ramp = Image(width: 4, height: 1, channels: 1, pixels: [0, 40, 80, 120])
        let upscaled = ramp.resized(width: 8, height: 1)
        // Output centres map to input x = (i + 0.5) / 2 - 0.5, clamped at the edges.
        #expect(upscaled.pixels == [0, 10, 30, 50, 70, 90, 110, 120])
    }

    @Test func sameSizeIsIdentity() {
        let image = Fixtures.pattern(width: 9, height: 5, channels: 3)
        #expect(image.resized(width: 9, height: 5) == image)
        let tall = image.resized(width: 9, height: 10)
        #expect(tall.resized(width: 9, height: 5).width == 9)
    }

    @Test func axesAreResampledIndependently() {
        // Shrink x by two while y grows by two: columns average, rows interpolate.
        let image = Image(width: 4, height: 2, channels: 1, pixels: [0, 100, 0, 100, 100, 200, 100, 200])
        let resized = image.resized(width: 2, height: 4)
        #expect(resized.pixels == [50, 50, 75, 75, 125, 125, 150, 150])
    }
}

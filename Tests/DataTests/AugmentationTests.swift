@testable import Data
import Testing

@Suite struct AugmentationTests {
    /// The 3 x 3 image  0 1 2 / 3 4 5 / 6 7 8  (values times 10) under `transform`, read back as values.
    func apply(_ transform: AugmentationTransform) -> [Int] {
        let cache = Fixtures.cache(labels: [0], imageSize: 3, pixels: (0..<9).map { UInt8($0 * 10) })
        var output = [Float](repeating: 0, count: 9)
        cache.writeSample(0, transform: transform, into: &output)
        return output.map { Int((($0 + 1) * 127.5 / 10).rounded()) }
    }

    @Test func rotationsTurnClockwise() {
        #expect(apply(AugmentationTransform(quarterTurns: 1)) == [6, 3, 0, 7, 4, 1, 8, 5, 2])
        #expect(apply(AugmentationTransform(quarterTurns: 2)) == [8, 7, 6, 5, 4, 3, 2, 1, 0])
        #expect(apply(AugmentationTransform(quarterTurns: 3)) == [2, 5, 8, 1, 4, 7, 0, 3, 6])
    }

    @Test func flipsMirrorRowsAndColumns() {
        #expect(apply(AugmentationTransform(flipHorizontal: true)) == [2, 1, 0, 5, 4, 3, 8, 7, 6])
        #expect(apply(AugmentationTransform(flipVertical: true)) == [6, 7, 8, 3, 4, 5, 0, 1, 2])
        // Rotate, then flip: a quarter turn and a horizontal flip transpose the image.
        #expect(apply(AugmentationTransform(quarterTurns: 1, flipHorizontal: true)) == [0, 3, 6, 1, 4, 7, 2, 5, 8])
    }

    @Test func shiftsFillWithBlackOrTheEdge() {
        // Zero fill is pixel 0: value 0 here too, so compare with a -1 sentinel through the floats.
        let cache = Fixtures.cache(labels: [0], imageSize: 3, pixels: (0..<9).map { UInt8($0 * 10 + 10) })
        var output = [Float](repeating: 0, count: 9)
        cache.writeSample(0, transform: AugmentationTransform(shiftX: 1, fill: .zero), into: &output)
        #expect(output.map { Int((($0 + 1) * 127.5).rounded()) } == [0, 10, 20, 0, 40, 50, 0, 70, 80])

        #expect(apply(AugmentationTransform(shiftX: 1, fill: .edge)) == [0, 0, 1, 3, 3, 4, 6, 6, 7])
        #expect(apply(AugmentationTransform(shiftY: 1, fill: .edge)) == [0, 1, 2, 0, 1, 2, 3, 4, 5])
        #expect(apply(AugmentationTransform(shiftX: -2, shiftY: -1, fill: .edge)) == [5, 5, 5, 8, 8, 8, 8, 8, 8])
    }

    @Test func drawIsKeyedBySeedEpochAndSampleOnly() {
        let augmentation = Augmentation.paper
        let first = augmentation.transform(seed: 3, epoch: 2, sampleIndex: 17)
        #expect(first == augmentation.transform(seed: 3, epoch: 2, sampleIndex: 17))
        let draws = (0..<400).map { augmentation.transform(seed: 3, epoch: 2, sampleIndex: $0) }
        #expect(Set(draws.map(\.quarterTurns)) == [0, 1, 2, 3])
        #expect(Set(draws.map(\.shiftX)) == Set(-5...5))
        #expect(Set(draws.map(\.shiftY)) == Set(-5...5))
        #expect(draws.contains { $0.flipHorizontal } && draws.contains { !$0.flipVertical })
        #expect(draws != (0..<400).map { augmentation.transform(seed: 3, epoch: 3, sampleIndex: $0) })
    }

    @Test func noAugmentationIsTheIdentity() {
        #expect((0..<50).allSatisfy { Augmentation.none.transform(seed: 1, epoch: 1, sampleIndex: $0).isIdentity })
        #expect(!Augmentation.paper.isIdentity && Augmentation.none.isIdentity)
    }
}

/// The augmentations of `--augment`.
public enum AugmentationKind: String, CaseIterable, Sendable {
    /// Every sample as cached.
    case none
    /// The paper's set (§3.5): quarter turns, flips, shifts of up to 5 pixels (`Augmentation.paper`).
    case paper
    /// Small rotations, scaling, shifts and exposure changes, no flips (`RadiographAugmentation.standard`).
    case radiograph

    /// Writes image `index` of `cache` as float NHWC at `destination`, augmented with the draw
    /// keyed by (seed, epoch, global sample index).
    func writeSample(
        _ index: Int, of cache: ImageCache, seed: UInt64, epoch: Int, sampleIndex: Int, into destination: UnsafeMutablePointer<Float>
    ) {
        switch self {
        case .none:
            cache.writeSample(index, into: destination)
        case .paper:
            let transform = Augmentation.paper.transform(seed: seed, epoch: epoch, sampleIndex: sampleIndex)
            cache.writeSample(index, transform: transform, into: destination)
        case .radiograph:
            let transform = RadiographAugmentation.standard.transform(seed: seed, epoch: epoch, sampleIndex: sampleIndex)
            cache.writeSample(index, radiograph: transform, into: destination)
        }
    }
}

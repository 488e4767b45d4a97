import Support

/// On-the-fly geometric augmentation of the paper's §3.5 (rotations by 90, 180 and 270
/// degrees, horizontal and vertical flips, horizontal and vertical translation by a few
/// pixels), drawn afresh for every sample of every epoch.
///
/// Each sample composes all enabled parts: a rotation by 0-3 quarter turns, each flip with
/// probability 1/2 (together a uniform draw from the 8 symmetries of the square), and a shift
/// uniform in `-maxTranslation...maxTranslation` on each axis. Only square images are cached,
/// so rotations keep the shape.
public struct Augmentation: Equatable, Sendable {
    /// What fills the pixels a translation uncovers.
    public enum Fill: String, CaseIterable, Sendable {
        /// Black (pixel value 0, -1 after normalisation): the X-ray background.
        case zero
        /// The nearest edge pixel repeated (Keras `fill_mode="nearest"`).
        case edge
    }

    public var rotations: Bool
    public var flips: Bool
    public var maxTranslation: Int
    public var fill: Fill

    public init(rotations: Bool, flips: Bool, maxTranslation: Int, fill: Fill = .edge) {
        precondition(maxTranslation >= 0)
        self.rotations = rotations
        self.flips = flips
        self.maxTranslation = maxTranslation
        self.fill = fill
    }

    /// No augmentation: every sample as cached.
    public static let none = Augmentation(rotations: false, flips: false, maxTranslation: 0)
    /// The paper's set: quarter-turn rotations, both flips, shifts of up to 5 pixels.
    public static let paper = Augmentation(rotations: true, flips: true, maxTranslation: 5)

    public var isIdentity: Bool { !rotations && !flips && maxTranslation == 0 }

    /// The transform of one sample, keyed by (seed, epoch, global sample index) and never by
    /// rank, so how a batch is split over ranks cannot change it (docs/method.md, "Random draws").
    public func transform(seed: UInt64, epoch: Int, sampleIndex: Int) -> AugmentationTransform {
        var generator = SplitMix64(seed: SplitMix64.key(seed, 0xA06_3E47, UInt64(epoch), UInt64(sampleIndex)))
        let quarterTurns = rotations ? generator.nextIndex(below: 4) : 0
        let flipHorizontal = flips && generator.nextIndex(below: 2) == 1
        let flipVertical = flips && generator.nextIndex(below: 2) == 1
        let span = 2 * maxTranslation + 1
        let shiftX = generator.nextIndex(below: span) - maxTranslation
        let shiftY = generator.nextIndex(below: span) - maxTranslation
        return AugmentationTransform(
            quarterTurns: quarterTurns, flipHorizontal: flipHorizontal, flipVertical: flipVertical,
            shiftX: shiftX, shiftY: shiftY, fill: fill)
    }
}

/// One sample's geometric transform: rotate clockwise by `quarterTurns`, then flip, then shift
/// the content right by `shiftX` and down by `shiftY` pixels.
public struct AugmentationTransform: Equatable, Sendable {
    public var quarterTurns: Int
    public var flipHorizontal: Bool
    public var flipVertical: Bool
    public var shiftX: Int
    public var shiftY: Int
    public var fill: Augmentation.Fill

    public init(
        quarterTurns: Int = 0, flipHorizontal: Bool = false, flipVertical: Bool = false,
        shiftX: Int = 0, shiftY: Int = 0, fill: Augmentation.Fill = .edge
    ) {
        self.quarterTurns = quarterTurns
        self.flipHorizontal = flipHorizontal
        self.flipVertical = flipVertical
        self.shiftX = shiftX
        self.shiftY = shiftY
        self.fill = fill
    }

    public static let identity = AugmentationTransform()

    /// True when every pixel stays where it is.
    public var isIdentity: Bool { quarterTurns & 3 == 0 && !flipHorizontal && !flipVertical && shiftX == 0 && shiftY == 0 }

    /// The source pixel of output pixel (x, y) of a `size` x `size` image, or nil where the
    /// shift uncovered it and the fill is `.zero`.
    @inline(__always)
    func source(x: Int, y: Int, size: Int) -> (x: Int, y: Int)? {
        var u = x - shiftX
        var v = y - shiftY
        if u < 0 || u >= size || v < 0 || v >= size {
            guard fill == .edge else { return nil }
            u = min(max(u, 0), size - 1)
            v = min(max(v, 0), size - 1)
        }
        if flipHorizontal { u = size - 1 - u }
        if flipVertical { v = size - 1 - v }
        // Undo one clockwise quarter turn: output (u, v) shows input (v, size - 1 - u).
        for _ in 0..<(quarterTurns & 3) { (u, v) = (v, size - 1 - u) }
        return (u, v)
    }
}

import Foundation
import Support

/// Augmentation for chest radiographs: the small changes of pose, magnification and exposure
/// that separate one patient's film from another's, and none that a radiograph cannot show.
///
/// Chest X-rays have a laterality (the heart on the patient's left), so there are no flips and
/// no quarter turns: those of the paper's set (`Augmentation.paper`) make images no scanner
/// produces. Each sample draws, independently and uniformly:
/// - a rotation by θ ∈ [-maxRotationDegrees, maxRotationDegrees] about the image centre,
/// - a scale s ∈ `scale` (s > 1 magnifies),
/// - a shift of the content by (t_x, t_y) ∈ [-maxTranslation, maxTranslation]² of the side,
/// - a contrast factor c ∈ [1 - maxContrast, 1 + maxContrast] and a brightness offset
///   b ∈ [-maxBrightness, maxBrightness] (fractions of the full grey range),
/// - a gamma γ, log-uniform in [1 / maxGamma, maxGamma].
///
/// With v = pixel / 255 sampled bilinearly at the inverse-mapped position (the nearest edge
/// pixel repeated outside the image, as `Augmentation.Fill.edge`), the network sees
/// x = 2 · clamp(c · v^γ + b + (1 - c) / 2, 0, 1) - 1: contrast about mid-grey, so x stays in
/// [-1, 1] like an unaugmented sample (`ImageCache.writeSample`).
public struct RadiographAugmentation: Equatable, Sendable {
    public var maxRotationDegrees: Float
    public var scale: ClosedRange<Float>
    /// Largest shift on each axis, as a fraction of the image side.
    public var maxTranslation: Float
    public var maxBrightness: Float
    public var maxContrast: Float
    /// Largest gamma; the smallest is its reciprocal.
    public var maxGamma: Float

    public init(
        maxRotationDegrees: Float, scale: ClosedRange<Float>, maxTranslation: Float, maxBrightness: Float,
        maxContrast: Float, maxGamma: Float
    ) {
        precondition(maxRotationDegrees >= 0 && scale.lowerBound > 0 && maxTranslation >= 0 && maxBrightness >= 0
            && (0..<1).contains(maxContrast) && maxGamma >= 1)
        self.maxRotationDegrees = maxRotationDegrees
        self.scale = scale
        self.maxTranslation = maxTranslation
        self.maxBrightness = maxBrightness
        self.maxContrast = maxContrast
        self.maxGamma = maxGamma
    }

    /// `--augment radiograph`: ±10°, 0.9-1.1x, ±8 % shifts, ±10 % brightness and contrast, gamma 0.8-1.25.
    public static let standard = RadiographAugmentation(
        maxRotationDegrees: 10, scale: 0.9...1.1, maxTranslation: 0.08, maxBrightness: 0.1, maxContrast: 0.1, maxGamma: 1.25)

    /// The transform of one sample, keyed by (seed, epoch, global sample index) like the
    /// paper's set (docs/method.md, "Random draws"), on a stream of its own.
    public func transform(seed: UInt64, epoch: Int, sampleIndex: Int) -> RadiographTransform {
        var generator = SplitMix64(seed: SplitMix64.key(seed, 0x4AD_1064, UInt64(epoch), UInt64(sampleIndex)))
        func uniform(_ low: Float, _ high: Float) -> Float { low + (high - low) * generator.nextUniform() }
        let logGamma = log(maxGamma)
        return RadiographTransform(
            rotationDegrees: uniform(-maxRotationDegrees, maxRotationDegrees),
            scale: uniform(scale.lowerBound, scale.upperBound),
            translationX: uniform(-maxTranslation, maxTranslation), translationY: uniform(-maxTranslation, maxTranslation),
            contrast: uniform(1 - maxContrast, 1 + maxContrast), brightness: uniform(-maxBrightness, maxBrightness),
            gamma: exp(uniform(-logGamma, logGamma)))
    }
}

/// One sample's draw of `RadiographAugmentation`.
public struct RadiographTransform: Equatable, Sendable {
    public var rotationDegrees: Float = 0
    public var scale: Float = 1
    /// Shift of the content right and down, as fractions of the side.
    public var translationX: Float = 0
    public var translationY: Float = 0
    public var contrast: Float = 1
    public var brightness: Float = 0
    public var gamma: Float = 1

    public init(
        rotationDegrees: Float = 0, scale: Float = 1, translationX: Float = 0, translationY: Float = 0,
        contrast: Float = 1, brightness: Float = 0, gamma: Float = 1
    ) {
        self.rotationDegrees = rotationDegrees
        self.scale = scale
        self.translationX = translationX
        self.translationY = translationY
        self.contrast = contrast
        self.brightness = brightness
        self.gamma = gamma
    }
}

/// Where a geometric transform of a `size` x `size` image takes each output pixel from: the
/// output position p shows the source at R(-θ)(p - c - t) / s + c, in pixel-centre coordinates
/// (the inverse of scaling, then rotating about the centre, then shifting). Shared by
/// `writeSample` and the ONNX export of test-time augmentation, which must sample alike.
public struct RadiographSourceMapping: Sendable {
    let centre: Float
    let cosine: Float, sine: Float
    let shiftX: Float, shiftY: Float

    public init(_ transform: RadiographTransform, size: Int) {
        centre = Float(size) / 2
        let angle = transform.rotationDegrees * .pi / 180
        cosine = cos(angle) / transform.scale
        sine = sin(angle) / transform.scale
        shiftX = transform.translationX * Float(size)
        shiftY = transform.translationY * Float(size)
    }

    /// The source position, in pixels (0 the first pixel's centre), that output pixel (x, y) shows.
    @inline(__always)
    public func source(x: Int, y: Int) -> (x: Float, y: Float) {
        let u = Float(x) + 0.5 - centre - shiftX, v = Float(y) + 0.5 - centre - shiftY
        return (cosine * u + sine * v + centre - 0.5, -sine * u + cosine * v + centre - 0.5)
    }
}

extension ImageCache {
    /// Writes image `index` under `transform` as float NHWC in [-1, 1] at `destination` (see
    /// `RadiographAugmentation` for the mapping).
    public func writeSample(_ index: Int, radiograph transform: RadiographTransform, into destination: UnsafeMutablePointer<Float>) {
        let size = imageSize
        let channels = self.channels
        let mapping = RadiographSourceMapping(transform, size: size)
        let (contrast, gamma) = (transform.contrast, transform.gamma)
        let offset = transform.brightness + (1 - contrast) / 2
        pixels.withUnsafeBufferPointer { pixels in
            let image = pixels.baseAddress! + index * pixelsPerImage
            @inline(__always) func pixel(_ x: Int, _ y: Int, _ channel: Int) -> Float {
                Float(image[(min(max(y, 0), size - 1) * size + min(max(x, 0), size - 1)) * channels + channel])
            }
            for y in 0..<size {
                for x in 0..<size {
                    let (sourceX, sourceY) = mapping.source(x: x, y: y)
                    let left = Int(sourceX.rounded(.down)), top = Int(sourceY.rounded(.down))
                    let fractionX = sourceX - Float(left), fractionY = sourceY - Float(top)
                    let output = destination + (y * size + x) * channels
                    for channel in 0..<channels {
                        let upper = pixel(left, top, channel) * (1 - fractionX) + pixel(left + 1, top, channel) * fractionX
                        let lower = pixel(left, top + 1, channel) * (1 - fractionX) + pixel(left + 1, top + 1, channel) * fractionX
                        let value = (upper * (1 - fractionY) + lower * fractionY) / 255
                        let exposed = contrast * (gamma == 1 ? value : pow(value, gamma)) + offset
                        output[channel] = 2 * min(max(exposed, 0), 1) - 1
                    }
                }
            }
        }
    }
}

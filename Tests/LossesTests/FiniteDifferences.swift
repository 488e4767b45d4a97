import Engine
import Losses
import Support
import Testing

/// A random batch: `count` embeddings of `width` standard-normal values (absolute values
/// when `nonnegative`, like pooled post-activation features) with labels in 0..<classes.
func randomBatch(
    count: Int, width: Int, classes: Int, nonnegative: Bool = false, seed: UInt64
) -> (embeddings: [Float], labels: [Int32]) {
    var generator = SplitMix64(seed: seed)
    let embeddings = (0..<(count * width)).map { _ -> Float in
        let value = generator.nextNormal()
        return nonnegative ? abs(value) : value
    }
    let labels = (0..<count).map { _ in Int32(generator.next() % UInt64(classes)) }
    return (embeddings, labels)
}

/// Checks `loss`'s analytic gradient against central differences of its float value on
/// every embedding element. The step is large enough for float rounding of the loss to stay
/// well below the tolerance, small enough that no hinge changes sign on these batches.
func expectGradientMatchesFiniteDifferences(
    _ loss: any MetricLoss, embeddings: [Float], labels: [Int32], width: Int,
    step: Float = 1e-3, tolerance: Float = 2e-3,
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let analytic = try loss.evaluate(embeddings: embeddings, labels: labels, width: width).gradient
    let scale = max(analytic.map(abs).max() ?? 0, 1e-3)
    var shifted = embeddings
    for index in embeddings.indices {
        shifted[index] = embeddings[index] + step
        let plus = try loss.evaluate(embeddings: shifted, labels: labels, width: width).loss
        shifted[index] = embeddings[index] - step
        let minus = try loss.evaluate(embeddings: shifted, labels: labels, width: width).loss
        shifted[index] = embeddings[index]
        let numeric = (plus - minus) / (2 * step)
        #expect(
            abs(numeric - analytic[index]) <= tolerance * scale,
            "\(loss.kind) d/df[\(index)]: analytic \(analytic[index]), central difference \(numeric)",
            sourceLocation: sourceLocation)
    }
}

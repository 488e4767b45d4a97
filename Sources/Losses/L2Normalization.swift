/// Row-wise L2 normalisation f̂_i = f_i / max(‖f_i‖, ε), shared by the metric losses and by
/// retrieval (Evaluation's `NearestNeighbours`), so both compare embeddings the same way.
public enum L2Normalization {
    /// Floor on the norm, as in PyTorch's `F.normalize`: a zero embedding normalises to zero
    /// instead of NaN.
    public static let epsilon: Float = 1e-12

    /// Writes f̂ of each of the `count` rows of `rows` ((count, width)) to `normalized` and,
    /// when given, ‖f_i‖ to `norms` ((count)).
    public static func normalizeRows(
        _ rows: UnsafePointer<Float>, count: Int, width: Int,
        into normalized: UnsafeMutablePointer<Float>, norms: UnsafeMutablePointer<Float>? = nil
    ) {
        for row in 0..<count {
            let source = rows + row * width
            let target = normalized + row * width
            // Double accumulation: float squares of large activations would overflow first.
            var squares: Double = 0
            for column in 0..<width { squares += Double(source[column]) * Double(source[column]) }
            let norm = Float(squares.squareRoot())
            norms?[row] = norm
            let scale = 1 / max(norm, epsilon)
            for column in 0..<width { target[column] = source[column] * scale }
        }
    }
}

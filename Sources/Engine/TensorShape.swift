/// The shape of one sample in channels-last (NHWC) layout; the batch size is chosen at run time.
///
/// A vector of `n` features (after global pooling, or a linear layer's output) is `(1, 1, n)`.
public struct TensorShape: Hashable, Sendable, CustomStringConvertible {
    public var height: Int
    public var width: Int
    public var channels: Int

    public init(height: Int, width: Int, channels: Int) {
        self.height = height
        self.width = width
        self.channels = channels
    }

    public static func vector(_ count: Int) -> TensorShape {
        TensorShape(height: 1, width: 1, channels: count)
    }

    /// Floats per sample.
    public var elementCount: Int { height * width * channels }

    public var description: String { "\(height)x\(width)x\(channels)" }
}

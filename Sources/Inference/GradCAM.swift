import Data
import Engine
import Networks

/// Grad-CAM (Selvaraju et al. 2017): where in an image the evidence for a class lies. For the
/// activations A (H, W, K) of a convolutional feature map and the gradient of the class's
/// score y_c (its logit, before the softmax, as in the paper's section 3) with respect to them,
/// each channel's weight is the gradient's spatial mean, α_k = (1/HW) Σ_ij ∂y_c/∂A_ijk
/// (eq. 1), and the map is ReLU(Σ_k α_k A_k) (eq. 2), kept where the evidence is for the class.
/// The map is upsampled bilinearly to the image, each cell's value placed at the centre of its
/// receptive field, and min-max normalised to [0, 1].
public struct GradCAM {
    public let model: Model
    /// The feature map explained: by default the network's last convolutional stage.
    public let stage: NodeID

    public init(model: Model, stage: NodeID? = nil) throws(GradCAMError) {
        guard let stage = stage ?? model.graph.lastConvolutionalStage else {
            throw .noConvolutionalStage(network: model.kind.rawValue)
        }
        self.model = model
        self.stage = stage
    }

    /// The map of each image of `cache` for class `classes[i]`: (imageSize, imageSize) row-major
    /// values in [0, 1], all 0 where no location has evidence for the class. Plain images, with
    /// BN's running statistics, whatever test-time augmentation the weights were evaluated with.
    public func maps(_ cache: ImageCache, classes: [Int], threads: Int) -> [[Float]] {
        precondition(classes.count == cache.count, "one class to explain per image")
        precondition(classes.allSatisfy { (0..<model.classCount).contains($0) }, "classes to explain are the model's")
        let executor = model.executor
        let shape = model.graph.shape(of: stage)
        var maps: [[Float]] = []
        maps.reserveCapacity(cache.count)
        for batch in BatchLoader.evaluationPlan(count: cache.count, batchSize: executor.batchCapacity) {
            for (slot, index) in batch.enumerated() {
                cache.writeSample(index, into: executor.input + slot * cache.pixelsPerImage)
            }
            backPropagateScores(of: batch.map { classes[$0] }, RunContext(batch: batch.count, training: false, threads: threads))
            for slot in batch.indices {
                let coarse = Self.classActivationMap(
                    activations: executor.output(of: stage) + slot * shape.elementCount,
                    scoreGradient: executor.gradient(of: stage) + slot * shape.elementCount, shape: shape)
                let fine = Self.upsampled(coarse, from: shape, to: cache.imageSize, offset: model.kind.lastStageOffset)
                maps.append(Self.normalised(fine))
            }
        }
        return maps
    }

    /// Runs the images in the executor's input forward, then back-propagates the score of
    /// `classes[slot]` of each down to `stage`, whose output and gradient then hold A and ∂y_c/∂A.
    func backPropagateScores(of classes: [Int], _ context: RunContext) {
        let executor = model.executor
        executor.forward(context)
        executor.zeroGradients()
        for (slot, classIndex) in classes.enumerated() {
            executor.logitsGradient[slot * model.classCount + classIndex] = 1
        }
        executor.backward(context, downTo: stage)
    }

    /// ReLU(Σ_k α_k A_k) with α_k the spatial mean of ∂y_c/∂A_k (eqs. 1-2), (H, W) row-major.
    /// - Parameters:
    ///   - activations: A, (H, W, K) as the engine stores it (NHWC).
    ///   - scoreGradient: ∂y_c/∂A, same layout.
    static func classActivationMap(
        activations: UnsafePointer<Float>, scoreGradient: UnsafePointer<Float>, shape: TensorShape
    ) -> [Float] {
        let locations = shape.height * shape.width
        let channels = shape.channels
        var weights = [Float](repeating: 0, count: channels)
        for location in 0..<locations {
            for channel in 0..<channels { weights[channel] += scoreGradient[location * channels + channel] }
        }
        for channel in 0..<channels { weights[channel] /= Float(locations) }
        return (0..<locations).map { location in
            var sum: Float = 0
            for channel in 0..<channels { sum += weights[channel] * activations[location * channels + channel] }
            return max(sum, 0)
        }
    }

    /// `map` (shape's H x W) resized to `size` x `size` by bilinear interpolation, cell (i, j)
    /// placed on pixel (s·j + offset, s·i + offset) for the stride s = size / H, values beyond the
    /// outer cells held. An image resize (PyTorch's `interpolate(align_corners=False)`, OpenCV's
    /// `resize`, which Grad-CAM implementations use) assumes offset (s − 1)/2; bstrain's networks
    /// centre their cells elsewhere (`NetworkDefinition.lastStageOffset`: 0 for most), and the
    /// difference, 7.5 pixels at stride 16, put peaks beside small structures.
    static func upsampled(_ map: [Float], from shape: TensorShape, to size: Int, offset: Double) -> [Float] {
        func sourcePosition(_ target: Int, coarse: Int) -> (low: Int, high: Int, fraction: Float) {
            let stride = Double(size) / Double(coarse)
            let position = Float(min(max((Double(target) - offset) / stride, 0), Double(coarse - 1)))
            let low = Int(position)
            return (low, min(low + 1, coarse - 1), position - Float(low))
        }
        var result = [Float](repeating: 0, count: size * size)
        for y in 0..<size {
            let row = sourcePosition(y, coarse: shape.height)
            for x in 0..<size {
                let column = sourcePosition(x, coarse: shape.width)
                func value(_ r: Int, _ c: Int) -> Float { map[r * shape.width + c] }
                let top = value(row.low, column.low) * (1 - column.fraction) + value(row.low, column.high) * column.fraction
                let bottom = value(row.high, column.low) * (1 - column.fraction) + value(row.high, column.high) * column.fraction
                result[y * size + x] = top * (1 - row.fraction) + bottom * row.fraction
            }
        }
        return result
    }

    /// Where `map` (`size` x `size`, row-major) is largest, the first such pixel in row order.
    public static func peak(of map: [Float], size: Int) -> (x: Int, y: Int) {
        let index = map.indices.max { map[$0] < map[$1] || (map[$0] == map[$1] && $0 > $1) } ?? 0
        return (index % size, index / size)
    }

    /// `map` scaled so its minimum is 0 and its maximum 1; a constant map becomes all 0, as it
    /// points nowhere.
    static func normalised(_ map: [Float]) -> [Float] {
        guard let low = map.min(), let high = map.max(), high > low else { return map.map { _ in 0 } }
        return map.map { ($0 - low) / (high - low) }
    }
}

/// Why Grad-CAM cannot run.
public enum GradCAMError: Error, CustomStringConvertible {
    case noConvolutionalStage(network: String)

    public var description: String {
        switch self {
        case let .noConvolutionalStage(network):
            "the network \(network) names no last convolutional stage for Grad-CAM; "
                + "pass lastConvolutionalStage to GraphBuilder.build in its definition (Sources/Networks)"
        }
    }
}

import Engine

/// The networks bstrain can train, by their command-line names.
public enum NetworkKind: String, CaseIterable, Sendable {
    case mobileNetV3Small = "mobilenetv3-small"
    case shuffleNetV2 = "shufflenetv2"
    case efficientNetB1 = "efficientnet-b1"
    case peleeNet = "peleenet"
    case tiny = "tiny"

    /// One line for `--help` and `bstrain models`.
    public var summary: String {
        switch self {
        case .mobileNetV3Small: "MobileNet-V3-Small (Howard et al. 2019), as torchvision's mobilenet_v3_small"
        case .shuffleNetV2: "ShuffleNet-V2 1.0x (Ma et al. 2018), as torchvision's shufflenet_v2_x1_0"
        case .efficientNetB1: "EfficientNet-B1 (Tan and Le 2019), as torchvision's efficientnet_b1"
        case .peleeNet: "PeleeNet (Wang et al. 2018), as the authors' PyTorch definition"
        case .tiny: "a ~31k-parameter network of our own for tests and the synthetic demo"
        }
    }

    /// Width of the embedding: the globally pooled features that feed the classifier.
    public var embeddingWidth: Int {
        switch self {
        case .mobileNetV3Small: MobileNetV3Small.embeddingWidth
        case .shuffleNetV2: ShuffleNetV2.embeddingWidth
        case .efficientNetB1: EfficientNetB1.embeddingWidth
        case .peleeNet: PeleeNet.embeddingWidth
        case .tiny: Tiny.embeddingWidth
        }
    }
}

/// Why a network cannot be built for the requested input or classes.
public enum NetworkError: Error, CustomStringConvertible, Equatable {
    case imageSizeNotMultipleOf32(height: Int, width: Int)
    case noInputChannels(Int)
    case tooFewClasses(Int)

    public var description: String {
        switch self {
        case let .imageSizeNotMultipleOf32(height, width):
            "image size \(height)x\(width) is not supported: the networks downsample 32 times, so give --image-size a positive multiple of 32 (e.g. 128)"
        case let .noInputChannels(channels):
            "--channels \(channels) is not supported: give 1 (greyscale) or 3 (colour)"
        case let .tooFewClasses(classes):
            "--classes \(classes) is not supported: classification needs at least 2 classes"
        }
    }
}

/// Builds `kind` for images of `inputShape` (NHWC, height and width multiples of 32) and
/// `classes` classes, with its embedding and logits nodes marked.
public func makeGraph(_ kind: NetworkKind, inputShape: TensorShape, classes: Int) throws(NetworkError) -> Graph {
    guard inputShape.height > 0, inputShape.width > 0,
          inputShape.height % 32 == 0, inputShape.width % 32 == 0
    else { throw .imageSizeNotMultipleOf32(height: inputShape.height, width: inputShape.width) }
    guard inputShape.channels > 0 else { throw .noInputChannels(inputShape.channels) }
    guard classes >= 2 else { throw .tooFewClasses(classes) }
    return switch kind {
    case .mobileNetV3Small: MobileNetV3Small.makeGraph(inputShape: inputShape, classes: classes)
    case .shuffleNetV2: ShuffleNetV2.makeGraph(inputShape: inputShape, classes: classes)
    case .efficientNetB1: EfficientNetB1.makeGraph(inputShape: inputShape, classes: classes)
    case .peleeNet: PeleeNet.makeGraph(inputShape: inputShape, classes: classes)
    case .tiny: Tiny.makeGraph(inputShape: inputShape, classes: classes)
    }
}

import Engine

/// A network bstrain can train, known by its command-line name (`rawValue`). Each network's
/// file declares its own, `NetworkKind.mobileNetV3Small` in MobileNetV3Small.swift and so on;
/// `allCases` lists them.
public struct NetworkKind: RawRepresentable, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    public let definition: any NetworkDefinition.Type

    public init(_ definition: any NetworkDefinition.Type) {
        self.definition = definition
    }

    /// Every network, in the order `bstrain models` and `--help` list them.
    public static let allCases: [NetworkKind] = [
        .mobileNetV3Small,
        .shuffleNetV2,
        .efficientNetB1,
        .peleeNet,
        .tiny,
        .resNet18,
    ]

    /// The network `--model rawValue` names, if any.
    public init?(rawValue: String) {
        guard let kind = Self.allCases.first(where: { $0.rawValue == rawValue }) else { return nil }
        self = kind
    }

    public var rawValue: String { definition.commandLineName }

    public var description: String { rawValue }

    /// One line for `--help` and `bstrain models`.
    public var summary: String { definition.summary }

    /// Width of the embedding: the globally pooled features that feed the classifier.
    public var embeddingWidth: Int { definition.embeddingWidth }

    /// The network's row of the paper's Table 1, if the paper compared it.
    public var paperTable1: PaperTable1Row? { definition.paperTable1 }

    /// Where the receptive field of the last convolutional stage's first cell is centred, in input pixels.
    public var lastStageOffset: Double { definition.lastStageOffset }

    public static func == (a: NetworkKind, b: NetworkKind) -> Bool { a.rawValue == b.rawValue }

    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }
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
    return kind.definition.makeGraph(inputShape: inputShape, classes: classes)
}

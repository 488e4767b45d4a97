import Engine

/// One network bstrain can train: its name, what `bstrain models` says of it, and how to wire
/// it. Adding a network is one file, holding a type that conforms and its `NetworkKind`
/// (`extension NetworkKind { public static let myNet = NetworkKind(MyNet.self) }`), and one
/// line in `NetworkKind.allCases`.
public protocol NetworkDefinition: Sendable {
    /// The name `--model` takes and saved weights record, e.g. "mobilenetv3-small"; it must
    /// never change, or older weights and checkpoints no longer load.
    static var commandLineName: String { get }
    /// One line for `--help` and `bstrain models`: the paper and the reference definition.
    static var summary: String { get }
    /// Width of the embedding: the globally pooled features that feed the classifier.
    static var embeddingWidth: Int { get }
    /// The network's row of Table 1 in the paper bstrain implements; nil when the paper did
    /// not compare it.
    static var paperTable1: PaperTable1Row? { get }
    /// Where, in input pixels, the receptive field of cell (0, 0) of the last convolutional
    /// stage is centred: cell (i, j) is centred on pixel (s·j, s·i) plus this, for the stage's
    /// stride s. 0 when every strided layer has an odd kernel padded by (k − 1)/2; each 2 x 2
    /// pool without padding adds half its input's stride. Grad-CAM places each cell's value
    /// there when it upsamples the map to the image.
    static var lastStageOffset: Double { get }

    /// The network for images of `inputShape` (NHWC, height and width multiples of 32) and
    /// `classes` classes, with its embedding and logits nodes marked. `makeGraph(_:inputShape:classes:)`
    /// checks the arguments before calling it.
    static func makeGraph(inputShape: TensorShape, classes: Int) -> Graph
}

extension NetworkDefinition {
    public static var paperTable1: PaperTable1Row? { nil }
    public static var lastStageOffset: Double { 0 }
}

/// A network's figures in Table 1 of Huang et al. (2021), as printed: millions of parameters
/// and MFLOPs. The paper does not say how it counted; 6.58 M and 2.11 M are EfficientNet-B1's
/// and PeleeNet's counts with BN running statistics included, which places those two, and
/// the others follow the paper's order of listing (EfficientNet, MobileNet, ShuffleNet,
/// PeleeNet).
public struct PaperTable1Row: Sendable, Equatable {
    public var megaParameters: String
    public var megaFlops: String

    public init(megaParameters: String, megaFlops: String) {
        self.megaParameters = megaParameters
        self.megaFlops = megaFlops
    }
}

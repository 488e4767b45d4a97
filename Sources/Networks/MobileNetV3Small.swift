import Engine

/// MobileNet-V3-Small (Howard et al., "Searching for MobileNetV3", ICCV 2019) exactly as
/// torchvision's `mobilenet_v3_small()` builds it (width 1.0, no reduced tail), for any
/// input channel count and number of classes. Parameter names are torchvision's state_dict keys.
public enum MobileNetV3Small: NetworkDefinition {
    public static let commandLineName = "mobilenetv3-small"
    public static let summary = "MobileNet-V3-Small (Howard et al. 2019), as torchvision's mobilenet_v3_small"
    public static let paperTable1: PaperTable1Row? = PaperTable1Row(megaParameters: "3.04", megaFlops: "43.7")

    /// One row of the block table: torchvision's `InvertedResidualConfig`.
    struct Block {
        var inputChannels: Int
        var kernelSize: Int
        var expandedChannels: Int
        var outputChannels: Int
        var squeezeExcitation: Bool
        var activation: ActivationFunction
        var stride: Int

        init(_ input: Int, _ kernel: Int, _ expanded: Int, _ output: Int, _ se: Bool,
             _ activation: ActivationFunction, _ stride: Int) {
            (inputChannels, kernelSize, expandedChannels, outputChannels) = (input, kernel, expanded, output)
            (squeezeExcitation, self.activation, self.stride) = (se, activation, stride)
        }
    }

    /// Table 2 of the paper. At width 1.0 every width is already a multiple of 8, so
    /// torchvision's channel rounding leaves them as they are.
    static let blocks: [Block] = [
        //     in  k  exp  out  SE     NL          s
        Block(16, 3, 16, 16, true, .relu, 2),
        Block(16, 3, 72, 24, false, .relu, 2),
        Block(24, 3, 88, 24, false, .relu, 1),
        Block(24, 5, 96, 40, true, .hardSwish, 2),
        Block(40, 5, 240, 40, true, .hardSwish, 1),
        Block(40, 5, 240, 40, true, .hardSwish, 1),
        Block(40, 5, 120, 48, true, .hardSwish, 1),
        Block(48, 5, 144, 48, true, .hardSwish, 1),
        Block(48, 5, 288, 96, true, .hardSwish, 2),
        Block(96, 5, 576, 96, true, .hardSwish, 1),
        Block(96, 5, 576, 96, true, .hardSwish, 1),
    ]
    static let stemChannels = 16
    /// The last 1x1 convolution widens the last block's output six times.
    public static let embeddingWidth = 6 * 96
    static let classifierHiddenWidth = 1024
    static let dropout: Float = 0.2
    static let normalization = BatchNormSettings(epsilon: 0.001, momentum: 0.01)

    /// The network for images of `inputShape`, with the globally pooled 576 features as the
    /// embedding and `classes` logits.
    public static func makeGraph(inputShape: TensorShape, classes: Int) -> Graph {
        let builder = GraphBuilder(inputShape: inputShape, convolutionInitialization: .kaimingNormalFanOut)
        let features = builder.sequential("features") {
            var x = builder.sequential {
                builder.convolutionNormActivation(
                    builder.input, outputChannels: stemChannels, kernelSize: 3, stride: 2,
                    normalization: normalization, activation: .hardSwish)
            }
            for block in blocks {
                x = builder.scope {
                    builder.invertedResidual(
                        x, expandedChannels: block.expandedChannels, outputChannels: block.outputChannels,
                        kernelSize: block.kernelSize, stride: block.stride, activation: block.activation,
                        squeezeExcitation: block.squeezeExcitation
                            ? SqueezeExcitationSettings(
                                squeezeChannels: makeDivisible(Double(block.expandedChannels / 4)),
                                activation: .relu, gate: .hardSigmoid)
                            : nil,
                        normalization: normalization)
                }
            }
            return builder.sequential {
                builder.convolutionNormActivation(
                    x, outputChannels: embeddingWidth, kernelSize: 1,
                    normalization: normalization, activation: .hardSwish)
            }
        }
        let embedding = builder.globalAveragePool(features)
        let logits = builder.sequential("classifier") {
            // torchvision initialises these linear layers N(0, 0.01²) with zero bias.
            var y = builder.linear(
                embedding, outputFeatures: classifierHiddenWidth,
                weightInitializer: .normal(std: 0.01), biasInitializer: .zeros)
            y = builder.hardSwish(y)
            y = builder.dropout(y, probability: dropout)
            return builder.linear(y, outputFeatures: classes, weightInitializer: .normal(std: 0.01), biasInitializer: .zeros)
        }
        return builder.build(embedding: embedding, logits: logits, lastConvolutionalStage: features)
    }
}

extension NetworkKind {
    public static let mobileNetV3Small = NetworkKind(MobileNetV3Small.self)
}

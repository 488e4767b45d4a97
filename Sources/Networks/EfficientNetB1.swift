import Engine

/// EfficientNet-B1 (Tan and Le, "EfficientNet: Rethinking Model Scaling for Convolutional
/// Neural Networks", ICML 2019) exactly as torchvision's `efficientnet_b1()` builds it: the
/// B0 table scaled by width 1.0 and depth 1.1, for any input channel count and number of
/// classes. Parameter names are torchvision's state_dict keys.
///
/// torchvision also drops residual branches at random in training (stochastic depth, rate
/// rising to 0.2); the engine has no such operation, so every block always runs, as in
/// evaluation. It has no parameters, so the counts are unchanged.
public enum EfficientNetB1: NetworkDefinition {
    public static let commandLineName = "efficientnet-b1"
    public static let summary = "EfficientNet-B1 (Tan and Le 2019), as torchvision's efficientnet_b1"
    public static let paperTable1: PaperTable1Row? = PaperTable1Row(megaParameters: "6.58", megaFlops: "395")
    /// One row of the stage table: torchvision's `MBConvConfig` before scaling.
    struct Stage {
        var expandRatio: Int
        var kernelSize: Int
        var stride: Int
        var inputChannels: Int
        var outputChannels: Int
        var layers: Int

        init(_ expandRatio: Int, _ kernel: Int, _ stride: Int, _ input: Int, _ output: Int, _ layers: Int) {
            (self.expandRatio, kernelSize, self.stride) = (expandRatio, kernel, stride)
            (inputChannels, outputChannels, self.layers) = (input, output, layers)
        }
    }

    /// Table 1 of the paper (the B0 baseline).
    static let baseline: [Stage] = [
        //     t  k  s   in  out  layers
        Stage(1, 3, 1, 32, 16, 1),
        Stage(6, 3, 2, 16, 24, 2),
        Stage(6, 5, 2, 24, 40, 2),
        Stage(6, 3, 2, 40, 80, 3),
        Stage(6, 5, 1, 80, 112, 3),
        Stage(6, 5, 2, 112, 192, 4),
        Stage(6, 3, 1, 192, 320, 1),
    ]
    static let widthMultiplier = 1.0
    static let depthMultiplier = 1.1
    /// The last 1x1 convolution widens the last stage's 320 channels four times.
    public static let embeddingWidth = 4 * 320
    static let dropout: Float = 0.2
    static let normalization = BatchNormSettings.pytorchDefault

    static func scaledWidth(_ channels: Int) -> Int { makeDivisible(Double(channels) * widthMultiplier) }
    static func scaledDepth(_ layers: Int) -> Int { Int((Double(layers) * depthMultiplier).rounded(.up)) }

    /// The network for images of `inputShape`, with the globally pooled 1280 features as the
    /// embedding and `classes` logits.
    public static func makeGraph(inputShape: TensorShape, classes: Int) -> Graph {
        let builder = GraphBuilder(inputShape: inputShape, convolutionInitialization: .kaimingNormalFanOut)
        let features = builder.sequential("features") {
            var x = builder.sequential {
                builder.convolutionNormActivation(
                    builder.input, outputChannels: scaledWidth(baseline[0].inputChannels), kernelSize: 3, stride: 2,
                    normalization: normalization, activation: .silu)
            }
            for stage in baseline {
                builder.sequential {
                    for layer in 0..<scaledDepth(stage.layers) {
                        // Only a stage's first block changes width and stride.
                        let inputChannels = scaledWidth(layer == 0 ? stage.inputChannels : stage.outputChannels)
                        x = builder.scope {
                            builder.invertedResidual(
                                x, expandedChannels: makeDivisible(Double(inputChannels * stage.expandRatio)),
                                outputChannels: scaledWidth(stage.outputChannels), kernelSize: stage.kernelSize,
                                stride: layer == 0 ? stage.stride : 1, activation: .silu,
                                squeezeExcitation: SqueezeExcitationSettings(
                                    squeezeChannels: max(1, inputChannels / 4), activation: .silu, gate: .sigmoid),
                                normalization: normalization)
                        }
                    }
                }
            }
            return builder.sequential {
                builder.convolutionNormActivation(
                    x, outputChannels: embeddingWidth, kernelSize: 1, normalization: normalization, activation: .silu)
            }
        }
        let embedding = builder.globalAveragePool(features)
        let logits = builder.sequential("classifier") {
            // torchvision: U(±1/√out_features) for the weight, zero bias.
            builder.linear(
                builder.dropout(embedding, probability: dropout), outputFeatures: classes,
                weightInitializer: .uniform(bound: 1 / Float(classes).squareRoot()), biasInitializer: .zeros)
        }
        return builder.build(embedding: embedding, logits: logits, lastConvolutionalStage: features)
    }
}

extension NetworkKind {
    public static let efficientNetB1 = NetworkKind(EfficientNetB1.self)
}

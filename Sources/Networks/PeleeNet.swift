import Engine

/// PeleeNet (Wang, Li and Ling, "Pelee: A Real-Time Object Detection System on Mobile
/// Devices", NeurIPS 2018) exactly as its official PyTorch definition (Robert-JunWang/PeleeNet,
/// `peleenet.py`) builds it, for any input channel count and number of classes: a stem block,
/// four stages of two-way dense layers (growth rate 32) each closed by a 1x1 transition
/// layer, and 2x2 average pooling between stages. Parameter names are that module's
/// state_dict keys.
public enum PeleeNet: NetworkDefinition {
    public static let commandLineName = "peleenet"
    public static let summary = "PeleeNet (Wang et al. 2018), as the authors' PyTorch definition"
    public static let paperTable1: PaperTable1Row? = PaperTable1Row(megaParameters: "2.11", megaFlops: "323")
    static let stemChannels = 32
    static let growthRate = 32
    /// Dense layers per stage (Table 1 of the paper: 3, 4, 8, 6).
    static let denseLayers = [3, 4, 8, 6]
    /// Bottleneck width multipliers per stage (1, 2, 4, 4 in the paper).
    static let bottleneckWidths = [1, 2, 4, 4]
    /// 32 stem channels plus 21 dense layers of 32 each.
    public static let embeddingWidth = 704
    static let dropout: Float = 0.05
    static let normalization = BatchNormSettings.pytorchDefault

    /// The stem's 2 x 2 max pool (half its channels: +0.5 at stride 4, of its +1) and the three
    /// 2 x 2 average pools between stages (+2, +4, +8) put cell (0, 0) at pixel 14.5.
    public static let lastStageOffset = 14.5

    /// The network for images of `inputShape`, with the globally pooled 704 features as the
    /// embedding and `classes` logits.
    public static func makeGraph(inputShape: TensorShape, classes: Int) -> Graph {
        let builder = GraphBuilder(inputShape: inputShape, convolutionInitialization: .kaimingNormalFanOut)
        var x = builder.scope("features.stemblock") { stemBlock(builder.input, builder) }
        for (stage, layers) in denseLayers.enumerated() {
            for layer in 0..<layers {
                x = builder.scope("features.denseblock\(stage + 1).denselayer\(layer + 1)") {
                    denseLayer(x, bottleneckWidth: bottleneckWidths[stage], builder)
                }
            }
            x = builder.scope("features.transition\(stage + 1)") {
                basicConvolution(x, outputChannels: builder.shape(of: x).channels, kernelSize: 1, builder)
            }
            if stage != denseLayers.count - 1 {
                x = builder.averagePool(x, kernelSize: 2, stride: 2)
            }
        }
        let embedding = builder.globalAveragePool(x)
        // The reference initialises the classifier N(0, 0.01²) with zero bias.
        let logits = builder.linear(
            builder.dropout(embedding, probability: dropout), outputFeatures: classes,
            weightInitializer: .normal(std: 0.01), biasInitializer: .zeros, name: "classifier")
        return builder.build(embedding: embedding, logits: logits, lastConvolutionalStage: x)
    }

    /// The reference's `BasicConv2d`: convolution, BN and ReLU, named "conv" and "norm".
    static func basicConvolution(
        _ x: NodeID, outputChannels: Int, kernelSize: Int, stride: Int = 1, _ builder: GraphBuilder
    ) -> NodeID {
        builder.convolutionNormActivation(
            x, outputChannels: outputChannels, kernelSize: kernelSize, stride: stride,
            normalization: normalization, activation: .relu, names: ("conv", "norm"))
    }

    /// Stem block (figure 2 of the paper): a stride-2 3x3 convolution, then two branches, a
    /// 1x1-then-stride-2-3x3 path and a 2x2 max pool, concatenated and fused by a 1x1
    /// convolution. Downsamples by 4 at little cost.
    static func stemBlock(_ x: NodeID, _ builder: GraphBuilder) -> NodeID {
        let stem = builder.scope("stem1") {
            basicConvolution(x, outputChannels: stemChannels, kernelSize: 3, stride: 2, builder)
        }
        var convolved = builder.scope("stem2a") {
            basicConvolution(stem, outputChannels: stemChannels / 2, kernelSize: 1, builder)
        }
        convolved = builder.scope("stem2b") {
            basicConvolution(convolved, outputChannels: stemChannels, kernelSize: 3, stride: 2, builder)
        }
        let pooled = builder.maxPool(stem, kernelSize: 2, stride: 2)
        let merged = builder.concatenate([pooled, convolved])
        return builder.scope("stem3") { basicConvolution(merged, outputChannels: stemChannels, kernelSize: 1, builder) }
    }

    /// Two-way dense layer (figure 1 of the paper): a 1x1-3x3 branch and a 1x1-3x3-3x3 branch,
    /// each adding half the growth rate, concatenated after the input.
    static func denseLayer(_ x: NodeID, bottleneckWidth: Int, _ builder: GraphBuilder) -> NodeID {
        let branchGrowth = growthRate / 2
        // The reference rounds the bottleneck to a multiple of 4. It would also narrow it to
        // a quarter of the input when wider than half the input, which never happens with
        // this table: the narrowest input, 32 channels, meets a bottleneck of 16.
        let bottleneck = branchGrowth * bottleneckWidth / 4 * 4
        let inputChannels = builder.shape(of: x).channels
        precondition(2 * bottleneck <= inputChannels, "PeleeNet bottleneck \(bottleneck) wider than half of \(inputChannels)")
        var shallow = builder.scope("branch1a") {
            basicConvolution(x, outputChannels: bottleneck, kernelSize: 1, builder)
        }
        shallow = builder.scope("branch1b") {
            basicConvolution(shallow, outputChannels: branchGrowth, kernelSize: 3, builder)
        }
        var deep = builder.scope("branch2a") {
            basicConvolution(x, outputChannels: bottleneck, kernelSize: 1, builder)
        }
        deep = builder.scope("branch2b") {
            basicConvolution(deep, outputChannels: branchGrowth, kernelSize: 3, builder)
        }
        deep = builder.scope("branch2c") {
            basicConvolution(deep, outputChannels: branchGrowth, kernelSize: 3, builder)
        }
        return builder.concatenate([x, shallow, deep])
    }
}

extension NetworkKind {
    public static let peleeNet = NetworkKind(PeleeNet.self)
}

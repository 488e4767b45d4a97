import Engine

/// ShuffleNet-V2 1.0x (Ma et al., "ShuffleNet V2: Practical Guidelines for Efficient CNN
/// Architecture Design", ECCV 2018) exactly as torchvision's `shufflenet_v2_x1_0()` builds it,
/// for any input channel count and number of classes. Parameter names are torchvision's
/// state_dict keys; initialisation is PyTorch's default, which torchvision keeps here.
public enum ShuffleNetV2: NetworkDefinition {
    public static let commandLineName = "shufflenetv2"
    public static let summary = "ShuffleNet-V2 1.0x (Ma et al. 2018), as torchvision's shufflenet_v2_x1_0"
    public static let paperTable1: PaperTable1Row? = PaperTable1Row(megaParameters: "4.02", megaFlops: "319")
    /// Units per stage (stage2, stage3, stage4); the first unit of each halves the size.
    static let stageRepeats = [4, 8, 4]
    /// Output widths of conv1, stage2, stage3, stage4 and conv5 (Table 5 of the paper, 1.0x).
    static let stageOutputChannels = [24, 116, 232, 464, 1024]
    public static let embeddingWidth = 1024
    static let normalization = BatchNormSettings.pytorchDefault

    /// The network for images of `inputShape`, with the globally pooled 1024 features as the
    /// embedding and `classes` logits.
    public static func makeGraph(inputShape: TensorShape, classes: Int) -> Graph {
        let builder = GraphBuilder(inputShape: inputShape, convolutionInitialization: .pytorchDefault)
        var x = builder.sequential("conv1") {
            builder.convolutionNormActivation(
                builder.input, outputChannels: stageOutputChannels[0], kernelSize: 3, stride: 2,
                normalization: normalization, activation: .relu)
        }
        x = builder.maxPool(x, kernelSize: 3, stride: 2, padding: 1)
        for (stage, repeats) in stageRepeats.enumerated() {
            builder.sequential("stage\(stage + 2)") {
                for unit in 0..<repeats {
                    x = builder.scope {
                        shuffleUnit(x, outputChannels: stageOutputChannels[stage + 1], stride: unit == 0 ? 2 : 1, builder)
                    }
                }
            }
        }
        x = builder.sequential("conv5") {
            builder.convolutionNormActivation(
                x, outputChannels: embeddingWidth, kernelSize: 1, normalization: normalization, activation: .relu)
        }
        let embedding = builder.globalAveragePool(x)
        let logits = builder.linear(embedding, outputFeatures: classes, name: "fc")
        return builder.build(embedding: embedding, logits: logits, lastConvolutionalStage: x)
    }

    /// The ShuffleNet-V2 unit (torchvision's `InvertedResidual`, figure 3 c and d of the paper).
    /// Stride 1 splits the channels in two halves and transforms the second; stride 2 feeds the
    /// whole input to both branches. The halves are concatenated and shuffled in two groups.
    static func shuffleUnit(_ x: NodeID, outputChannels: Int, stride: Int, _ builder: GraphBuilder) -> NodeID {
        let inputChannels = builder.shape(of: x).channels
        let branchChannels = outputChannels / 2
        let left: NodeID, rightInput: NodeID
        if stride == 1 {
            precondition(inputChannels == outputChannels, "a stride-1 ShuffleNet unit keeps its width")
            left = builder.channelSlice(x, 0..<branchChannels)
            rightInput = builder.channelSlice(x, branchChannels..<inputChannels)
        } else {
            left = builder.sequential("branch1") {
                let depthwise = builder.convolutionNormActivation(
                    x, outputChannels: inputChannels, kernelSize: 3, stride: stride, groups: inputChannels,
                    normalization: normalization, activation: nil)
                return builder.convolutionNormActivation(
                    depthwise, outputChannels: branchChannels, kernelSize: 1,
                    normalization: normalization, activation: .relu)
            }
            rightInput = x
        }
        let right = builder.sequential("branch2") {
            var y = builder.convolutionNormActivation(
                rightInput, outputChannels: branchChannels, kernelSize: 1,
                normalization: normalization, activation: .relu)
            y = builder.convolutionNormActivation(
                y, outputChannels: branchChannels, kernelSize: 3, stride: stride, groups: branchChannels,
                normalization: normalization, activation: nil)
            return builder.convolutionNormActivation(
                y, outputChannels: branchChannels, kernelSize: 1,
                normalization: normalization, activation: .relu)
        }
        return builder.channelShuffle(concatenating: [left, right], groups: 2)
    }
}

extension NetworkKind {
    public static let shuffleNetV2 = NetworkKind(ShuffleNetV2.self)
}

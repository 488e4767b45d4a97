import Engine

/// ResNet-18 (He, Zhang, Ren and Sun, "Deep Residual Learning for Image Recognition", CVPR
/// 2016) exactly as torchvision's `resnet18()` builds it, for any input channel count and
/// number of classes: a 7x7 stride-2 stem and max pool, four stages of two basic blocks
/// (64, 128, 256 and 512 channels; stages 2-4 halve the size in their first block),
/// global average pooling and a linear classifier. Parameter names are torchvision's
/// state_dict keys. Initialisation is torchvision's: Kaiming normal fan-out for the
/// convolutions, BN weight 1 and bias 0 (`zero_init_residual` off), PyTorch's default for
/// the classifier.
public enum ResNet18: NetworkDefinition {
    public static let commandLineName = "resnet18"
    public static let summary = "ResNet-18 (He et al. 2016), as torchvision's resnet18"
    /// Output channels of layer1 ... layer4 (Table 1 of the paper, 18-layer column).
    static let stageChannels = [64, 128, 256, 512]
    static let blocksPerStage = 2
    static let stemChannels = 64
    public static let embeddingWidth = 512
    static let normalization = BatchNormSettings.pytorchDefault

    /// The network for images of `inputShape`, with the globally pooled 512 features as the
    /// embedding and `classes` logits.
    public static func makeGraph(inputShape: TensorShape, classes: Int) -> Graph {
        let builder = GraphBuilder(inputShape: inputShape, convolutionInitialization: .kaimingNormalFanOut)
        var x = builder.convolution(
            builder.input, outputChannels: stemChannels, kernelSize: 7, stride: 2, padding: 3, name: "conv1")
        x = builder.batchNorm(
            x, epsilon: normalization.epsilon, momentum: normalization.momentum, activation: .relu, name: "bn1")
        x = builder.maxPool(x, kernelSize: 3, stride: 2, padding: 1)
        for (stage, channels) in stageChannels.enumerated() {
            builder.sequential("layer\(stage + 1)") {
                for block in 0..<blocksPerStage {
                    x = builder.scope {
                        basicBlock(x, outputChannels: channels, stride: stage > 0 && block == 0 ? 2 : 1, builder)
                    }
                }
            }
        }
        let embedding = builder.globalAveragePool(x)
        let logits = builder.linear(embedding, outputFeatures: classes, name: "fc")
        return builder.build(embedding: embedding, logits: logits, lastConvolutionalStage: x)
    }

    /// torchvision's `BasicBlock` (figure 2 of the paper): two 3x3 convolutions with BN, the
    /// first carrying the stride, added to the input and passed through ReLU. Where the block
    /// changes size or width, the shortcut is `downsample`, a strided 1x1 convolution with BN.
    static func basicBlock(_ x: NodeID, outputChannels: Int, stride: Int, _ builder: GraphBuilder) -> NodeID {
        var y = builder.convolution(x, outputChannels: outputChannels, kernelSize: 3, stride: stride, name: "conv1")
        y = builder.batchNorm(
            y, epsilon: normalization.epsilon, momentum: normalization.momentum, activation: .relu, name: "bn1")
        y = builder.convolution(y, outputChannels: outputChannels, kernelSize: 3, name: "conv2")
        y = builder.batchNorm(y, epsilon: normalization.epsilon, momentum: normalization.momentum, name: "bn2")
        let shortcut = stride == 1 && builder.shape(of: x).channels == outputChannels
            ? x
            : builder.sequential("downsample") {
                builder.convolutionNormActivation(
                    x, outputChannels: outputChannels, kernelSize: 1, stride: stride,
                    normalization: normalization, activation: nil)
            }
        return builder.relu(builder.add(y, shortcut))
    }
}

extension NetworkKind {
    public static let resNet18 = NetworkKind(ResNet18.self)
}

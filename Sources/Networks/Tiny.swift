import Engine

/// A small network of our own (about 31k parameters, 10 MMAC at 128 x 128) for tests and
/// the synthetic demo: cheap to train on a CPU, yet it exercises the main kinds of operation
/// of the four reference networks: strided k x k convolutions with BN and ReLU, a
/// depthwise-separable block, squeeze-and-excitation, global pooling and a linear classifier.
/// Parameter names follow torchvision's style.
public enum Tiny: NetworkDefinition {
    public static let commandLineName = "tiny"
    public static let summary = "a ~31k-parameter network of our own for tests and the synthetic demo"
    /// Widths of the three strided 3x3 convolution stages.
    static let stageChannels = [16, 32, 64]
    public static let embeddingWidth = 64
    static let squeezeChannels = 16
    static let normalization = BatchNormSettings.pytorchDefault

    /// The network for images of `inputShape` (downsampled 16 times), with the globally
    /// pooled 64 features as the embedding and `classes` logits.
    public static func makeGraph(inputShape: TensorShape, classes: Int) -> Graph {
        let builder = GraphBuilder(inputShape: inputShape, convolutionInitialization: .kaimingNormalFanOut)
        let features = builder.sequential("features") {
            var x = builder.input
            for channels in stageChannels {
                x = builder.sequential {
                    builder.convolutionNormActivation(
                        x, outputChannels: channels, kernelSize: 3, stride: 2,
                        normalization: normalization, activation: .relu)
                }
            }
            x = builder.sequential {
                let depthwise = builder.sequential {
                    builder.convolutionNormActivation(
                        x, outputChannels: builder.shape(of: x).channels, kernelSize: 3, stride: 2,
                        groups: builder.shape(of: x).channels, normalization: normalization, activation: .relu)
                }
                return builder.sequential {
                    builder.convolutionNormActivation(
                        depthwise, outputChannels: embeddingWidth, kernelSize: 1,
                        normalization: normalization, activation: .relu)
                }
            }
            return builder.scope {
                builder.squeezeExcitation(x, squeezeChannels: squeezeChannels, activation: .relu, gate: .sigmoid)
            }
        }
        let embedding = builder.globalAveragePool(features)
        let logits = builder.linear(embedding, outputFeatures: classes, name: "classifier")
        return builder.build(embedding: embedding, logits: logits, lastConvolutionalStage: features)
    }
}

extension NetworkKind {
    public static let tiny = NetworkKind(Tiny.self)
}

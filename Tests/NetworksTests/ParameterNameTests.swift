// Names and shapes below are torchvision's state_dict keys (the official PeleeNet module's
// for PeleeNet) for 3 input channels and 3 classes, with convolution weights permuted from
// PyTorch's [out, in/groups, kh, kw] to the engine's [out, kh, kw, in/groups].
// A one-off comparison of the complete lists (210, 282, 439, 567 and 102 tensors, BN
// num_batches_tracked left out) matched in order; these samples keep it from regressing.
import Engine
import Networks
import Testing

@Suite struct ParameterNameTests {
    struct Sample: Sendable, CustomTestStringConvertible {
        var kind: NetworkKind
        var name: String
        var shape: [Int]
        var testDescription: String { "\(kind.rawValue) \(name)" }
    }

    static let samples: [Sample] = [
        Sample(kind: .mobileNetV3Small, name: "features.0.0.weight", shape: [16, 3, 3, 3]),
        Sample(kind: .mobileNetV3Small, name: "features.1.block.1.fc1.weight", shape: [8, 1, 1, 16]),
        Sample(kind: .mobileNetV3Small, name: "features.5.block.2.fc1.weight", shape: [64, 1, 1, 240]),
        Sample(kind: .mobileNetV3Small, name: "features.6.block.3.1.running_var", shape: [40]),
        Sample(kind: .mobileNetV3Small, name: "classifier.0.bias", shape: [1024]),
        Sample(kind: .mobileNetV3Small, name: "classifier.3.weight", shape: [3, 1024]),
        Sample(kind: .shuffleNetV2, name: "conv1.0.weight", shape: [24, 3, 3, 3]),
        Sample(kind: .shuffleNetV2, name: "stage2.0.branch1.2.weight", shape: [58, 1, 1, 24]),
        Sample(kind: .shuffleNetV2, name: "stage3.0.branch2.4.running_var", shape: [116]),
        Sample(kind: .shuffleNetV2, name: "stage3.6.branch2.6.running_mean", shape: [116]),
        Sample(kind: .shuffleNetV2, name: "fc.weight", shape: [3, 1024]),
        Sample(kind: .efficientNetB1, name: "features.0.0.weight", shape: [32, 3, 3, 3]),
        Sample(kind: .efficientNetB1, name: "features.1.1.block.1.fc1.weight", shape: [4, 1, 1, 16]),
        Sample(kind: .efficientNetB1, name: "features.5.3.block.2.fc2.weight", shape: [672, 1, 1, 28]),
        Sample(kind: .efficientNetB1, name: "features.8.1.running_var", shape: [1280]),
        Sample(kind: .efficientNetB1, name: "classifier.1.weight", shape: [3, 1280]),
        Sample(kind: .peleeNet, name: "features.stemblock.stem1.conv.weight", shape: [32, 3, 3, 3]),
        Sample(kind: .peleeNet, name: "features.denseblock2.denselayer4.branch2a.norm.running_var", shape: [32]),
        Sample(kind: .peleeNet, name: "features.denseblock3.denselayer3.branch2c.conv.weight", shape: [16, 3, 3, 16]),
        Sample(kind: .peleeNet, name: "features.transition4.norm.running_var", shape: [704]),
        Sample(kind: .peleeNet, name: "classifier.weight", shape: [3, 704]),
        Sample(kind: .resNet18, name: "conv1.weight", shape: [64, 7, 7, 3]),
        Sample(kind: .resNet18, name: "bn1.running_mean", shape: [64]),
        Sample(kind: .resNet18, name: "layer1.0.conv1.weight", shape: [64, 3, 3, 64]),
        Sample(kind: .resNet18, name: "layer1.1.bn2.running_var", shape: [64]),
        Sample(kind: .resNet18, name: "layer2.0.conv1.weight", shape: [128, 3, 3, 64]),
        Sample(kind: .resNet18, name: "layer2.0.downsample.0.weight", shape: [128, 1, 1, 64]),
        Sample(kind: .resNet18, name: "layer2.0.downsample.1.weight", shape: [128]),
        Sample(kind: .resNet18, name: "layer3.1.conv2.weight", shape: [256, 3, 3, 256]),
        Sample(kind: .resNet18, name: "layer4.0.downsample.1.running_var", shape: [512]),
        Sample(kind: .resNet18, name: "fc.weight", shape: [3, 512]),
        Sample(kind: .resNet18, name: "fc.bias", shape: [3]),
    ]

    @Test(arguments: samples)
    func parameterIsNamedAndShapedAsReferenceStateDict(_ sample: Sample) throws {
        let graph = try makeGraph(sample.kind, inputShape: TensorShape(height: 64, width: 64, channels: 3), classes: 3)
        let entry = graph.parameters.first { $0.name == sample.name }
        #expect(entry?.shape == sample.shape)
    }

    @Test func referenceTensorCountsMatchStateDictLength() throws {
        let stateDictLengths: [NetworkKind: Int] = [
            .mobileNetV3Small: 210, .shuffleNetV2: 282, .efficientNetB1: 439, .peleeNet: 567, .resNet18: 102,
        ]
        for (kind, length) in stateDictLengths {
            let graph = try makeGraph(kind, inputShape: TensorShape(height: 64, width: 64, channels: 3), classes: 3)
            #expect(graph.parameters.count == length, "\(kind.rawValue)")
        }
    }
}

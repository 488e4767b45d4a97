// Reference parameter counts: sum(p.numel() for p in model.parameters()) in PyTorch, so
// trainable parameters only (BN running statistics are buffers). Obtained with
// Scripts/reference_parameter_counts.py (torch 2.15.0, torchvision 0.29.2), which builds
// torchvision's mobilenet_v3_small, shufflenet_v2_x1_0, efficientnet_b1 and resnet18 with
// `num_classes` set and the stem convolution replaced by one reading the channel count.
// PeleeNet's come from the same script run with --peleenet on the official definition
// (Robert-JunWang/PeleeNet, peleenet.py, PeleeNet(num_classes:) with stem1.conv replaced).
// The (3 channels, 1000 classes) figures are the published ones: 2,542,856, 2,278,604,
// 7,794,184 and 11,689,512 in torchvision's weight metadata, "2.8M" in the Pelee paper.
// ResNet-18's other two also follow from its published one (conv1 has 64·C·7·7 weights
// and no bias, fc 512·classes + classes): `resNet18CountsDifferOnlyInStemAndClassifier`.
// Tiny is our own: its counts are worked out by hand in `tinyCountIsItsLayerSum`.
import Engine
import Networks
import Testing

@Suite struct ReferenceParameterCountTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var kind: NetworkKind
        var channels: Int
        var classes: Int
        var parameters: Int
        var testDescription: String { "\(kind.rawValue), \(channels) channels, \(classes) classes" }
    }

    static let cases: [Case] = [
        Case(kind: .mobileNetV3Small, channels: 1, classes: 2, parameters: 1_519_618),
        Case(kind: .mobileNetV3Small, channels: 3, classes: 1000, parameters: 2_542_856),
        Case(kind: .mobileNetV3Small, channels: 3, classes: 3, parameters: 1_520_931),
        Case(kind: .shuffleNetV2, channels: 1, classes: 2, parameters: 1_255_222),
        Case(kind: .shuffleNetV2, channels: 3, classes: 1000, parameters: 2_278_604),
        Case(kind: .shuffleNetV2, channels: 3, classes: 3, parameters: 1_256_679),
        Case(kind: .efficientNetB1, channels: 1, classes: 2, parameters: 6_515_170),
        Case(kind: .efficientNetB1, channels: 3, classes: 1000, parameters: 7_794_184),
        Case(kind: .efficientNetB1, channels: 3, classes: 3, parameters: 6_517_027),
        Case(kind: .peleeNet, channels: 1, classes: 2, parameters: 2_098_082),
        Case(kind: .peleeNet, channels: 3, classes: 1000, parameters: 2_802_248),
        Case(kind: .peleeNet, channels: 3, classes: 3, parameters: 2_099_363),
        Case(kind: .resNet18, channels: 1, classes: 2, parameters: 11_171_266),
        Case(kind: .resNet18, channels: 3, classes: 1000, parameters: 11_689_512),
        Case(kind: .resNet18, channels: 3, classes: 3, parameters: 11_178_051),
    ]

    @Test(arguments: cases)
    func trainableParameterCountEqualsReference(_ reference: Case) throws {
        let graph = try makeGraph(
            reference.kind, inputShape: TensorShape(height: 128, width: 128, channels: reference.channels),
            classes: reference.classes)
        #expect(graph.trainableCount == reference.parameters)
    }

    @Test func resNet18CountsDifferOnlyInStemAndClassifier() {
        func expected(channels c: Int, classes k: Int) -> Int {
            let published = 11_689_512   // 3 channels, 1000 classes
            return published - 64 * 3 * 7 * 7 - (512 * 1000 + 1000) + 64 * c * 7 * 7 + (512 * k + k)
        }
        for reference in Self.cases where reference.kind == .resNet18 {
            #expect(expected(channels: reference.channels, classes: reference.classes) == reference.parameters)
        }
    }

    @Test func tinyCountIsItsLayerSum() throws {
        // Per layer, for c input channels and k classes: three 3x3 stages with BN,
        // depthwise 3x3 + BN, pointwise 64 -> 64 + BN, SE 64 -> 16 -> 64 with biases, linear.
        func expected(channels c: Int, classes k: Int) -> Int {
            (16 * 9 * c + 32) + (32 * 9 * 16 + 64) + (64 * 9 * 32 + 128)
                + (64 * 9 + 128) + (64 * 64 + 128) + (64 * 16 + 16 + 16 * 64 + 64) + (64 * k + k)
        }
        for (channels, classes, parameters) in [(1, 2, 30_594), (3, 1000, 95_752), (3, 3, 30_947)] {
            let graph = try makeGraph(.tiny, inputShape: TensorShape(height: 64, width: 64, channels: channels), classes: classes)
            #expect(graph.trainableCount == parameters)
            #expect(expected(channels: channels, classes: classes) == parameters)
        }
    }

    @Test(arguments: NetworkKind.allCases)
    func parameterCountDoesNotDependOnImageSize(_ kind: NetworkKind) throws {
        let small = try makeGraph(kind, inputShape: TensorShape(height: 64, width: 64, channels: 1), classes: 2)
        let large = try makeGraph(kind, inputShape: TensorShape(height: 256, width: 192, channels: 1), classes: 2)
        #expect(small.trainableCount == large.trainableCount)
        #expect(small.stateCount == large.stateCount)
    }
}

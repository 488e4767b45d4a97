import Engine
import Networks
import Testing

@Suite struct NetworkKindTests {
    @Test func commandLineNamesAreStable() {
        #expect(NetworkKind.allCases.map(\.rawValue) == [
            "mobilenetv3-small", "shufflenetv2", "efficientnet-b1", "peleenet", "tiny", "resnet18",
        ])
    }

    @Test func embeddingWidthsAreThePooledFeatureWidths() throws {
        let expected: [NetworkKind: Int] = [
            .mobileNetV3Small: 576, .shuffleNetV2: 1024, .efficientNetB1: 1280, .peleeNet: 704, .tiny: 64,
            .resNet18: 512,
        ]
        for kind in NetworkKind.allCases {
            let graph = try makeGraph(kind, inputShape: TensorShape(height: 96, width: 64, channels: 1), classes: 2)
            #expect(kind.embeddingWidth == expected[kind], "\(kind.rawValue)")
            #expect(graph.embeddingWidth == kind.embeddingWidth, "\(kind.rawValue)")
            #expect(graph.classCount == 2)
            #expect(!kind.summary.isEmpty)
        }
    }

    @Test func imageSizeMustBeAPositiveMultipleOf32() {
        #expect(throws: NetworkError.imageSizeNotMultipleOf32(height: 100, width: 128)) {
            try makeGraph(.tiny, inputShape: TensorShape(height: 100, width: 128, channels: 1), classes: 2)
        }
        #expect(throws: NetworkError.imageSizeNotMultipleOf32(height: 0, width: 0)) {
            try makeGraph(.tiny, inputShape: TensorShape(height: 0, width: 0, channels: 1), classes: 2)
        }
    }

    @Test func inputChannelsAndClassesAreChecked() {
        #expect(throws: NetworkError.noInputChannels(0)) {
            try makeGraph(.peleeNet, inputShape: TensorShape(height: 32, width: 32, channels: 0), classes: 2)
        }
        #expect(throws: NetworkError.tooFewClasses(1)) {
            try makeGraph(.peleeNet, inputShape: TensorShape(height: 32, width: 32, channels: 3), classes: 1)
        }
    }
}

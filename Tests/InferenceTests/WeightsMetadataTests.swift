import Evaluation
import Testing
@testable import Inference

@Suite struct WeightsMetadataTests {
    /// What `Trainer` writes beside the tensors of weights/*.safetensors.
    static let written = [
        "model": "tiny", "loss": "ce+bst", "classes": #"["normal","pneumonia"]"#, "image_size": "64", "channels": "1", "epoch": "3",
        "layout": "NHWC; convolution weights [out, kh, kw, in/groups]; linear weights [out, in]",
    ]

    @Test func readsTheMetadataATrainingRunWrites() throws {
        let metadata = try WeightsMetadata(Self.written, path: "w.safetensors")
        #expect(metadata == WeightsMetadata(
            network: .tiny, loss: "ce+bst", classNames: ["normal", "pneumonia"], imageSize: 64, channels: 1, epoch: 3))
    }

    @Test func writtenMetadataReadsBackTheSame() throws {
        let metadata = WeightsMetadata(
            network: .peleeNet, loss: nil, classNames: ["a", "b", "c"], imageSize: 128, channels: 3, epoch: nil)
        #expect(try WeightsMetadata(metadata.safetensorsMetadata, path: "w") == metadata)
    }

    /// The preprocessing is stated for a stranger, in the terms of the input it describes, and
    /// files written before it was stated still read.
    @Test(arguments: [1, 3])
    func writtenMetadataStatesThePreprocessing(channels: Int) throws {
        let metadata = WeightsMetadata(
            network: .tiny, loss: "ce", classNames: ["a", "b"], imageSize: 96, channels: channels, epoch: 1).safetensorsMetadata
        #expect(metadata["preprocessing_scale"]?.contains("pixel / 127.5 - 1") == true)
        #expect(metadata["preprocessing_colour"]?.hasPrefix(channels == 1 ? "1 channel, grey" : "3 channels, RGB") == true)
        #expect(metadata["preprocessing_resize"]?.hasPrefix("96 x 96") == true)
        #expect(try WeightsMetadata(Self.written, path: "w").channels == 1)
    }

    @Test func aDecisionThresholdReadsBackAndIsOnlyForTwoClasses() throws {
        let metadata = WeightsMetadata(
            network: .tiny, loss: "ce", classNames: ["normal", "pneumonia"], imageSize: 64, channels: 1, epoch: 2,
            decisionRule: .threshold(0.8125))
        #expect(metadata.safetensorsMetadata["decision_threshold"] == "0.8125")
        #expect(try WeightsMetadata(metadata.safetensorsMetadata, path: "w") == metadata)
        #expect(try WeightsMetadata(Self.written, path: "w").decisionRule == .argmax)
        var threeClasses = Self.written
        threeClasses["classes"] = #"["a","b","c"]"#
        threeClasses["decision_threshold"] = "0.5"
        #expect(throws: WeightsError.self) { try WeightsMetadata(threeClasses, path: "w") }
    }

    @Test func aFittedTemperatureReadsBackAndIsAbsentByDefault() throws {
        let metadata = WeightsMetadata(
            network: .tiny, loss: "ce", classNames: ["a", "b", "c"], imageSize: 64, channels: 1, epoch: 2,
            temperatureScaling: TemperatureScaling(temperature: 1.75))
        #expect(metadata.safetensorsMetadata["temperature"] == "1.75")
        #expect(try WeightsMetadata(metadata.safetensorsMetadata, path: "w") == metadata)
        #expect(try WeightsMetadata(Self.written, path: "w").temperatureScaling == nil)
    }

    @Test func classNamesMayHoldCommas() throws {
        let metadata = WeightsMetadata(
            network: .tiny, loss: "ce", classNames: ["COVID-19, ARDS", "normal"], imageSize: 64, channels: 1, epoch: 1)
        #expect(try WeightsMetadata(metadata.safetensorsMetadata, path: "w").classNames == ["COVID-19, ARDS", "normal"])
    }

    @Test func aCheckpointIsRefusedWithAPointerToTheWeights() {
        #expect(throws: WeightsError.checkpointGiven(path: "last.ckpt")) {
            try WeightsMetadata([WeightsMetadata.checkpointStateKey: "{}", "bstrain.crc32": "1"], path: "last.ckpt")
        }
    }

    @Test func aForeignSafetensorsFileNamesTheMissingKeys() {
        #expect(throws: WeightsError.notBstrainWeights(path: "model.safetensors", missingKeys: ["model", "classes", "image_size", "channels"])) {
            try WeightsMetadata(["format": "pt"], path: "model.safetensors")
        }
        var partial = Self.written
        partial["channels"] = nil
        #expect(throws: WeightsError.notBstrainWeights(path: "w", missingKeys: ["channels"])) {
            try WeightsMetadata(partial, path: "w")
        }
    }

    @Test(arguments: [
        ("model", "resnet50"), ("classes", #"["normal"]"#), ("classes", #"["a","a"]"#), ("classes", #"["a","","b"]"#),
        ("classes", "a,b"),
        ("image_size", "100"), ("image_size", "big"), ("channels", "2"), ("epoch", "-1"),
        ("decision_threshold", "1.5"), ("decision_threshold", "nan"), ("decision_threshold", "high"),
        ("temperature", "0"), ("temperature", "-1"), ("temperature", "inf"), ("temperature", "warm"),
    ])
    func anInvalidValueNamesItsKey(key: String, value: String) throws {
        var metadata = Self.written
        metadata[key] = value
        let error = try #require(throws: WeightsError.self) { try WeightsMetadata(metadata, path: "w") }
        guard case let .invalidMetadata(_, reportedKey, reportedValue, _) = error else {
            Issue.record("expected invalidMetadata, got \(error)")
            return
        }
        #expect(reportedKey == key && reportedValue == value)
    }
}

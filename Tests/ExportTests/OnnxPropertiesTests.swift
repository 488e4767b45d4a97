@testable import Export
import Evaluation
import Inference
import Networks
import Testing

@Suite struct OnnxPropertiesTests {
    static func metadata(temperature: Double? = nil, testTimeAugmentation: Bool = false) -> WeightsMetadata {
        WeightsMetadata(
            network: .tiny, loss: "ce", classNames: ["normal", "pneumonia"], imageSize: 64, channels: 1, epoch: 3,
            testTimeAugmentation: testTimeAugmentation, temperatureScaling: temperature.map { TemperatureScaling(temperature: $0) })
    }

    @Test func theWeightsMetadataAndThePreprocessingTravelWithTheModel() {
        let properties = Self.metadata().onnxProperties
        #expect(properties["model"] == "tiny")
        #expect(properties["classes"] == #"["normal","pneumonia"]"#)
        #expect(properties["preprocessing_scale"]?.contains("pixel / 127.5 - 1") == true)
        #expect(properties["preprocessing_resize"] != nil && properties["preprocessing_colour"] != nil)
        #expect(properties["onnx_input"]?.contains("N x 1 x 64 x 64 (NCHW") == true)
        #expect(properties["onnx_outputs"]?.contains("N x 64") == true)
        #expect(properties["onnx_test_time_augmentation"] == nil)
    }

    @Test func aTemperatureAndTestTimeAugmentationAreStated() {
        let properties = Self.metadata(temperature: 1.75, testTimeAugmentation: true).onnxProperties
        #expect(properties["temperature"] == "1.75")
        #expect(properties["onnx_outputs"]?.contains("at temperature 1.75") == true)
        #expect(properties["onnx_test_time_augmentation"]?.contains("means over 5 views") == true)
    }
}

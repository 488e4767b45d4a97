import Data
import Foundation
import Inference
import SwiftProtobuf

extension TrainedModel {
    /// This model as an ONNX file: the network in inference mode (OnnxExporter), averaged over
    /// the test-time views and its probabilities at the weights' temperature when the weights
    /// say so, as `predict` gives them, and the weights' metadata with how to feed the input as
    /// metadata_props.
    public func onnxModel() throws -> Foundation.Data {
        let exporter = OnnxExporter(graph: model.graph) { [executor = model.executor] in Array(executor.view(of: $0)) }
        let onnx = try exporter.makeModel(
            name: metadata.network.rawValue, temperature: metadata.temperatureScaling?.temperature,
            views: metadata.testTimeAugmentation ? TestTimeAugmentation.views : nil, properties: metadata.onnxProperties)
        return try onnx.serializedBytes()
    }
}

extension WeightsMetadata {
    /// The weights file's metadata (network, classes, preprocessing, decision threshold, ...)
    /// and what the ONNX model's input and outputs hold.
    var onnxProperties: [String: String] {
        var properties = safetensorsMetadata
        properties["onnx_input"] = "\(OnnxExporter.inputName): float32, N x \(channels) x \(imageSize) x \(imageSize) (NCHW; "
            + "the weights file's tensors are NHWC), each value pixel / 127.5 - 1 as the preprocessing_* entries say"
        let temperatureNote = temperatureScaling.map { String(format: " at temperature %.6g (fitted on validation)", $0.temperature) } ?? ""
        properties["onnx_outputs"] = "\(OnnxExporter.probabilitiesName): float32, N x \(classNames.count), softmax\(temperatureNote), "
            + "in the order of 'classes'; \(OnnxExporter.embeddingName): float32, N x \(network.embeddingWidth), "
            + "the globally pooled features (bstrain embed)"
        if testTimeAugmentation {
            properties["onnx_test_time_augmentation"] = "the outputs are means over \(TestTimeAugmentation.views.count) views "
                + "of each image (itself, turned by +-5 degrees, scaled by 1.05 and 0.95 about its centre; bilinear, border "
                + "repeated), as bstrain predict averages them"
        }
        return properties
    }
}

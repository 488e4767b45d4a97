import Foundation
import Inference
import SwiftProtobuf

extension TrainedModel {
    /// This model as an ONNX file: the network in inference mode (OnnxExporter), the
    /// probabilities at the weights' temperature when they have one, as `predict` gives them,
    /// and the weights' metadata with how to feed the input as metadata_props.
    public func onnxModel() throws -> Data {
        let exporter = OnnxExporter(graph: model.graph) { [executor = model.executor] in Array(executor.view(of: $0)) }
        let onnx = try exporter.makeModel(
            name: metadata.network.rawValue, temperature: metadata.temperatureScaling?.temperature,
            properties: metadata.onnxProperties)
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
            properties["onnx_test_time_augmentation"] = "bstrain predict averages each image over its test-time views "
                + "(docs/method.md, 'Test-time augmentation'); this model computes one view: average its outputs over those views to match"
        }
        return properties
    }
}

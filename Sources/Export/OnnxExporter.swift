import Data
import Engine
import Foundation

/// A network graph and its parameters written as an ONNX model in inference mode.
///
/// Every engine tensor (H, W, C per sample) becomes an NCHW tensor (N, C, H, W), vectors
/// included as (N, C, 1, 1), so each operation maps on its own (OnnxOperationMapping.swift).
/// The model reads `image` (N x C x H x W, float32, N free) and writes `probabilities`
/// (N x classes, the softmax of the logits, at a temperature when one is given) and
/// `embedding` (N x width, the graph's embedding node: what `bstrain embed` writes), each
/// averaged over test-time views when they are given.
public struct OnnxExporter {
    /// The oldest opset with every operator the export needs (HardSwish from opset 14,
    /// GridSample from 16) and the one the issue asks for at least.
    public static let opsetVersion = 17
    /// The IR version that opset 17 came with (ONNX 1.12).
    static let irVersion = 8
    public static let inputName = "image"
    public static let probabilitiesName = "probabilities"
    public static let embeddingName = "embedding"

    let graph: Graph
    /// The values of a parameter, in the engine's layout (a weights file's tensors).
    let parameterValues: (ParameterEntry) -> [Float]

    init(graph: Graph, parameterValues: @escaping (ParameterEntry) -> [Float]) {
        self.graph = graph
        self.parameterValues = parameterValues
    }

    /// The model, its graph named `name`, `properties` as its metadata_props (sorted by key);
    /// `temperature` and `views` as `makeGraph` takes them.
    func makeModel(
        name: String, temperature: Double? = nil, views: [RadiographTransform]? = nil, properties: [String: String] = [:]
    ) throws(OnnxExportError) -> Onnx_ModelProto {
        var model = Onnx_ModelProto()
        model.irVersion = Int64(Self.irVersion)
        var opset = Onnx_OperatorSetIdProto()
        opset.domain = ""
        opset.version = Int64(Self.opsetVersion)
        model.opsetImport = [opset]
        model.producerName = "bstrain"
        model.graph = try makeGraph(temperature: temperature, views: views)
        model.graph.name = name
        model.metadataProps = properties.sorted { $0.key < $1.key }.map { key, value in
            var entry = Onnx_StringStringEntryProto()
            entry.key = key
            entry.value = value
            return entry
        }
        return model
    }

    /// The ONNX graph. With `views` (test-time augmentation), the network runs on every view of
    /// each image and the outputs are the means over the views, as `Evaluator` forms them; with a
    /// `temperature`, the probabilities are then scaled as `TemperatureScaling.apply` scales them.
    func makeGraph(temperature: Double?, views: [RadiographTransform]? = nil) throws(OnnxExportError) -> Onnx_GraphProto {
        let builder = OnnxGraphBuilder()
        // Reserved first, so that no inner tensor takes the names a user reads.
        let image = builder.uniqueName(Self.inputName)
        let probabilities = builder.uniqueName(Self.probabilitiesName)
        let embedding = builder.uniqueName(Self.embeddingName)

        let input = graph.inputShape
        let networkInput = views.map { builder.addViews($0, of: image, size: input.height) } ?? image
        // Without views, the flattened embedding is the output itself.
        let network = try addNetwork(reading: networkInput, embeddingOutput: views == nil ? embedding : nil, to: builder)
        if let views {
            builder.addMeanOverViews(network.embedding, views: views.count, width: graph.embeddingWidth, name: "embedding", output: embedding)
            let viewProbabilities = builder.node("Softmax", inputs: [network.logits], name: "views", attributes: [.integer("axis", 1)])
            let mean = builder.addMeanOverViews(
                viewProbabilities, views: views.count, width: graph.classCount, name: "probabilities",
                output: temperature == nil ? probabilities : nil)
            if let temperature {
                // log p of the averaged prediction over the temperature, p floored as TemperatureScaling floors it.
                let floored = builder.node("Max", inputs: [mean, builder.floatScalar(.leastNormalMagnitude)], name: "temperature")
                let logarithm = builder.node("Log", inputs: [floored], name: "temperature")
                let scaled = builder.node("Div", inputs: [logarithm, builder.floatScalar(Float(temperature))], name: "temperature")
                builder.node("Softmax", inputs: [scaled], name: "probabilities", output: probabilities, attributes: [.integer("axis", 1)])
            }
        } else {
            var logits = network.logits
            if let temperature {
                // softmax(log softmax(z) / T) is softmax(z / T): TemperatureScaling's result, in one step.
                logits = builder.node("Div", inputs: [logits, builder.floatScalar(Float(temperature))], name: "temperature")
            }
            builder.node("Softmax", inputs: [logits], name: "probabilities", output: probabilities, attributes: [.integer("axis", 1)])
        }

        var onnxGraph = builder.graph
        onnxGraph.input = [Self.floatTensor(image, dims: [nil, input.channels, input.height, input.width])]
        onnxGraph.output = [
            Self.floatTensor(probabilities, dims: [nil, graph.classCount]),
            Self.floatTensor(embedding, dims: [nil, graph.embeddingWidth]),
        ]
        return onnxGraph
    }

    /// Every operation of the graph, reading `input`; the embedding and the logits flattened to
    /// (batch, width) and (batch, classes), the embedding into `embeddingOutput` when given.
    private func addNetwork(
        reading input: String, embeddingOutput: String?, to builder: OnnxGraphBuilder
    ) throws(OnnxExportError) -> (embedding: String, logits: String) {
        let entries = Dictionary(uniqueKeysWithValues: graph.parameters.map { ($0.name, $0) })
        var tensors = [input]   // per graph node, the ONNX tensor holding its output
        for (index, node) in graph.nodes.enumerated().dropFirst() {
            let context = OnnxNodeContext(
                name: node.name.isEmpty ? "node\(index)" : node.name, inputs: node.inputs.map { tensors[$0.index] },
                parameterName: node.parameterName, parameter: { spec in parameterValues(entries[node.parameterName(spec)]!) })
            tensors.append(try builder.add(node.operation!, context))
        }
        let flatten = [Onnx_AttributeProto.integer("axis", 1)]
        return (
            builder.node("Flatten", inputs: [tensors[graph.embedding.index]], name: "embedding", output: embeddingOutput, attributes: flatten),
            builder.node("Flatten", inputs: [tensors[graph.logits.index]], name: "logits", attributes: flatten)
        )
    }

    /// A float32 tensor's name and shape; nil dimensions are the batch, "N".
    private static func floatTensor(_ name: String, dims: [Int?]) -> Onnx_ValueInfoProto {
        var tensorType = Onnx_TypeProto.Tensor()
        tensorType.elemType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        tensorType.shape.dim = dims.map { size in
            var dimension = Onnx_TensorShapeProto.Dimension()
            if let size { dimension.dimValue = Int64(size) } else { dimension.dimParam = "N" }
            return dimension
        }
        var value = Onnx_ValueInfoProto()
        value.name = name
        value.type.tensorType = tensorType
        return value
    }
}

import Engine
import Foundation

/// A network graph and its parameters written as an ONNX model in inference mode.
///
/// Every engine tensor (H, W, C per sample) becomes an NCHW tensor (N, C, H, W), vectors
/// included as (N, C, 1, 1), so each operation maps on its own (OnnxOperationMapping.swift).
/// The model reads `image` (N x C x H x W, float32, N free) and writes `probabilities`
/// (N x classes, the softmax of the logits, divided first by a temperature when one is given)
/// and `embedding` (N x width, the graph's embedding node: what `bstrain embed` writes).
public struct OnnxExporter {
    /// Opset 17 has every operator the networks need (HardSwish since 14) and is read by
    /// every ONNX Runtime since 1.11.
    public static let opsetVersion = 17
    /// The IR version that opset 17 came with (ONNX 1.12).
    static let irVersion = 8
    public static let inputName = "image"
    public static let probabilitiesName = "probabilities"
    public static let embeddingName = "embedding"

    public let graph: Graph
    /// The values of a parameter, in the engine's layout (a weights file's tensors).
    public let parameterValues: (ParameterEntry) -> [Float]

    public init(graph: Graph, parameterValues: @escaping (ParameterEntry) -> [Float]) {
        self.graph = graph
        self.parameterValues = parameterValues
    }

    /// The model, its graph named `name`, `properties` as its metadata_props (sorted by key).
    func makeModel(
        name: String, temperature: Double? = nil, properties: [String: String] = [:]
    ) throws(OnnxExportError) -> Onnx_ModelProto {
        var model = Onnx_ModelProto()
        model.irVersion = Int64(Self.irVersion)
        var opset = Onnx_OperatorSetIdProto()
        opset.domain = ""
        opset.version = Int64(Self.opsetVersion)
        model.opsetImport = [opset]
        model.producerName = "bstrain"
        model.graph = try makeGraph(temperature: temperature)
        model.graph.name = name
        model.metadataProps = properties.sorted { $0.key < $1.key }.map { key, value in
            var entry = Onnx_StringStringEntryProto()
            entry.key = key
            entry.value = value
            return entry
        }
        return model
    }

    func makeGraph(temperature: Double?) throws(OnnxExportError) -> Onnx_GraphProto {
        let builder = OnnxGraphBuilder()
        // Reserved first, so that no inner tensor takes the names a user reads.
        let image = builder.uniqueName(Self.inputName)
        let probabilities = builder.uniqueName(Self.probabilitiesName)
        let embedding = builder.uniqueName(Self.embeddingName)

        let entries = Dictionary(uniqueKeysWithValues: graph.parameters.map { ($0.name, $0) })
        var tensors = [image]   // per graph node, the ONNX tensor holding its output
        for (index, node) in graph.nodes.enumerated().dropFirst() {
            let context = OnnxNodeContext(
                name: node.name.isEmpty ? "node\(index)" : node.name, inputs: node.inputs.map { tensors[$0.index] },
                parameter: { spec in parameterValues(entries[node.name.isEmpty ? spec : "\(node.name).\(spec)"]!) })
            tensors.append(try builder.add(node.operation!, context))
        }

        let flatten = [Onnx_AttributeProto.integer("axis", 1)]
        builder.node("Flatten", inputs: [tensors[graph.embedding.index]], name: "embedding", output: embedding, attributes: flatten)
        var logits = builder.node("Flatten", inputs: [tensors[graph.logits.index]], name: "logits", attributes: flatten)
        if let temperature {
            logits = builder.node("Div", inputs: [logits, builder.floatScalar(Float(temperature))], name: "temperature")
        }
        builder.node("Softmax", inputs: [logits], name: "probabilities", output: probabilities, attributes: [.integer("axis", 1)])

        var onnxGraph = builder.graph
        let input = graph.inputShape
        onnxGraph.input = [Self.floatTensor(image, dims: [nil, input.channels, input.height, input.width])]
        onnxGraph.output = [
            Self.floatTensor(probabilities, dims: [nil, graph.classCount]),
            Self.floatTensor(embedding, dims: [nil, graph.embeddingWidth]),
        ]
        return onnxGraph
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

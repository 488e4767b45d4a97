import Engine
@testable import Export
import Foundation
import Networks
import SwiftProtobuf
import Testing

@Suite struct OnnxExporterTests {
    /// Parameter values that tell tensors and positions apart: entry k's value i is k + i/1000.
    static func distinctValues(_ graph: Graph) -> (ParameterEntry) -> [Float] {
        let order = Dictionary(uniqueKeysWithValues: graph.parameters.enumerated().map { ($1.name, $0) })
        return { entry in (0..<entry.elementCount).map { Float(order[entry.name]!) + Float($0) / 1000 } }
    }

    static func export(_ graph: Graph, temperature: Double? = nil) throws -> Onnx_GraphProto {
        try OnnxExporter(graph: graph, parameterValues: distinctValues(graph)).makeGraph(temperature: temperature)
    }

    static func tiny(channels: Int = 1, classes: Int = 2) throws -> Graph {
        try makeGraph(.tiny, inputShape: TensorShape(height: 32, width: 32, channels: channels), classes: classes)
    }

    static func floats(_ tensor: Onnx_TensorProto) -> [Float] {
        stride(from: 0, to: tensor.rawData.count, by: 4).map { offset in
            Float(bitPattern: tensor.rawData[offset..<offset + 4].enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * $1.offset) })
        }
    }

    @Test func tinyBecomesItsOperatorsWithBatchNormAndTheClassifierAsConv() throws {
        let onnx = try Self.export(Self.tiny())
        let counts = Dictionary(onnx.node.map { ($0.opType, 1) }, uniquingKeysWith: +)
        // 5 convolutions, SE's fc1 and fc2, the classifier; ReLU after each BN and in SE;
        // global pooling in SE and for the embedding; the outputs' two Flattens and Softmax.
        #expect(counts == [
            "Conv": 8, "BatchNormalization": 5, "Relu": 6, "Sigmoid": 1, "Mul": 1, "GlobalAveragePool": 2,
            "Flatten": 2, "Softmax": 1,
        ])
    }

    @Test func everyParameterIsAnInitializerOfItsNameWithConvolutionWeightsInOIHW() throws {
        let graph = try Self.tiny(channels: 3, classes: 4)
        let onnx = try Self.export(graph)
        let initializers = Dictionary(uniqueKeysWithValues: onnx.initializer.map { ($0.name, $0) })
        for entry in graph.parameters {
            let tensor = try #require(initializers[entry.name], "\(entry.name) has no initializer")
            #expect(tensor.dims.reduce(1, *) == Int64(entry.elementCount), "\(entry.name)")
        }
        #expect(initializers["features.0.0.weight"]?.dims == [16, 3, 3, 3])
        #expect(initializers["features.3.0.0.weight"]?.dims == [64, 1, 3, 3])   // depthwise: one input per group
        #expect(initializers["classifier.weight"]?.dims == [4, 64, 1, 1])       // the linear layer as a 1x1 Conv
        #expect(initializers["features.0.1.running_var"]?.dims == [16])

        let entry = try #require(graph.parameters.first { $0.name == "features.0.0.weight" })
        let engine = Self.distinctValues(graph)(entry)
        let exported = Self.floats(try #require(initializers[entry.name]))
        #expect(exported == ConvolutionWeightLayout.oihw(fromOHWI: engine, outputs: 16, height: 3, width: 3, inputs: 3))
        #expect(exported != engine)
    }

    @Test(arguments: NetworkKind.allCases)
    func everyNetworkExportsAsAGraphWhoseNodesReadOnlyWhatCameBefore(kind: NetworkKind) throws {
        let graph = try makeGraph(kind, inputShape: TensorShape(height: 32, width: 32, channels: 1), classes: 3)
        let onnx = try Self.export(graph)
        var available = Set(onnx.initializer.map(\.name) + onnx.input.map(\.name))
        for node in onnx.node {
            for input in node.input { #expect(available.contains(input), "\(node.name) (\(node.opType)) reads \(input) before it exists") }
            available.formUnion(node.output)
        }
        #expect(Set(onnx.node.map(\.name)).count == onnx.node.count, "node names repeat")
        #expect(onnx.input.map(\.name) == ["image"])
        #expect(onnx.output.map(\.name) == ["probabilities", "embedding"])
        #expect(onnx.output[0].type.tensorType.shape.dim.map(\.dimValue) == [0, 3])
        #expect(onnx.output[1].type.tensorType.shape.dim.map(\.dimValue) == [0, Int64(kind.embeddingWidth)])
        #expect(onnx.output.allSatisfy { available.contains($0.name) })
        #expect(Set(onnx.initializer.map(\.name)).isSuperset(of: graph.parameters.map(\.name)))
    }

    @Test func theInputIsNCHWWithAFreeBatch() throws {
        let onnx = try Self.export(Self.tiny(channels: 3))
        let dimensions = onnx.input[0].type.tensorType.shape.dim
        #expect(dimensions.map(\.dimParam) == ["N", "", "", ""])
        #expect(dimensions.dropFirst().map(\.dimValue) == [3, 32, 32])
    }

    @Test func aTemperatureDividesTheLogitsBeforeTheSoftmax() throws {
        let onnx = try Self.export(Self.tiny(), temperature: 2.5)
        let division = try #require(onnx.node.first { $0.opType == "Div" })
        let softmax = try #require(onnx.node.first { $0.opType == "Softmax" })
        #expect(softmax.input == division.output)
        let divisor = try #require(onnx.initializer.first { $0.name == division.input[1] })
        #expect(Self.floats(divisor) == [2.5])
        #expect(try Self.export(Self.tiny()).node.allSatisfy { $0.opType != "Div" })
    }

    @Test func aShuffleIsAReshapeTransposeReshapeOverTheChannelGroups() throws {
        let graph = try makeGraph(.shuffleNetV2, inputShape: TensorShape(height: 32, width: 32, channels: 1), classes: 2)
        let onnx = try Self.export(graph)
        let shuffles = graph.nodes.filter { $0.operation is ChannelShuffle }.count
        let transposes = onnx.node.filter { $0.opType == "Transpose" }
        #expect(transposes.count == shuffles)
        #expect(transposes.allSatisfy { $0.attribute.first { $0.name == "perm" }?.ints == [0, 2, 1, 3, 4] })
    }

    @Test func theModelDeclaresOpset17AndItsPropertiesAndSurvivesSerialisation() throws {
        let exporter = OnnxExporter(graph: try Self.tiny(), parameterValues: Self.distinctValues(try Self.tiny()))
        let model = try exporter.makeModel(name: "tiny", properties: ["b": "2", "a": "1"])
        let decoded = try Onnx_ModelProto(serializedBytes: try model.serializedBytes() as [UInt8])
        #expect(decoded == model)
        #expect(decoded.opsetImport.map(\.version) == [17])
        #expect(decoded.irVersion == 8)
        #expect(decoded.metadataProps.map(\.key) == ["a", "b"])
        #expect(decoded.graph.name == "tiny")
    }

    /// An operation the exporter was never taught.
    final class Doubling: Engine.Operation {
        let inputShapes: [TensorShape]
        let outputShape: TensorShape
        init(shape: TensorShape) {
            inputShapes = [shape]
            outputShape = shape
        }
        var kind: OperationKind { .elementwise }
        func forward(_ io: OperationIO, _ context: RunContext) {}
        func backward(_ io: OperationIO, _ context: RunContext) {}
    }

    @Test func anOperationWithoutAMappingIsRefusedByName() throws {
        let shape = TensorShape(height: 4, width: 4, channels: 2)
        let builder = GraphBuilder(inputShape: shape)
        let doubled = builder.scope("head") { builder.add(Doubling(shape: shape), inputs: [builder.input], name: "double") }
        let pooled = builder.globalAveragePool(doubled)
        let graph = builder.build(embedding: pooled, logits: builder.linear(pooled, outputFeatures: 2, name: "fc"))
        #expect(throws: OnnxExportError.unmappedOperation(node: "head.double", operation: "Doubling")) {
            try Self.export(graph)
        }
        #expect("\(OnnxExportError.unmappedOperation(node: "head.double", operation: "Doubling"))".contains("Doubling"))
    }
}

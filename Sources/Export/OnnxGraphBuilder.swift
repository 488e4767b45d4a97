import Foundation

#if _endian(big)
#error("ONNX raw_data is little-endian; the exporter copies floats as they lie in memory")
#endif

/// Accumulates an ONNX graph: nodes in execution order, initializers (the weights and the small
/// constants some operators take as inputs), and tensor names that never collide.
final class OnnxGraphBuilder {
    private(set) var graph = Onnx_GraphProto()
    private var usedNames: Set<String> = []
    /// Scalar and int64 constants by value, so that every Clip or Reshape shares one.
    private var floatScalars: [Float: String] = [:]
    private var integerLists: [[Int]: String] = [:]

    /// `hint` if no tensor has that name yet, otherwise `hint` with the first free suffix.
    func uniqueName(_ hint: String) -> String {
        var name = hint
        var suffix = 1
        while usedNames.contains(name) {
            name = "\(hint)_\(suffix)"
            suffix += 1
        }
        usedNames.insert(name)
        return name
    }

    /// Appends an `operatorType` node reading `inputs`; returns its one output's name, which is
    /// `output` when given (reserved by the caller) or a fresh name from `name`. The node takes
    /// its output's name, which is unique, as ONNX wants node names to be.
    @discardableResult
    func node(
        _ operatorType: String, inputs: [String], name: String, output: String? = nil,
        attributes: [Onnx_AttributeProto] = []
    ) -> String {
        var node = Onnx_NodeProto()
        node.opType = operatorType
        node.input = inputs
        node.output = [output ?? uniqueName("\(name)/\(operatorType)")]
        node.name = node.output[0]
        node.attribute = attributes
        graph.node.append(node)
        return node.output[0]
    }

    /// A float32 initializer of shape `dims` holding `values` in row-major order.
    func floatInitializer(_ name: String, dims: [Int], values: [Float]) -> String {
        precondition(dims.reduce(1, *) == values.count, "initializer \(name): \(values.count) values for dims \(dims)")
        var tensor = Onnx_TensorProto()
        tensor.name = uniqueName(name)
        tensor.dims = dims.map(Int64.init)
        tensor.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        // raw_data is little-endian, as the ONNX schema requires: the floats as they lie in memory.
        tensor.rawData = values.withUnsafeBufferPointer { Data(buffer: $0) }
        graph.initializer.append(tensor)
        return tensor.name
    }

    /// A float32 scalar constant, shared by every node that needs the same value.
    func floatScalar(_ value: Float) -> String {
        if let name = floatScalars[value] { return name }
        let name = floatInitializer("constant.\(value)", dims: [], values: [value])
        floatScalars[value] = name
        return name
    }

    /// A 1-D int64 constant (Reshape's shape, Slice's bounds), shared like `floatScalar`'s.
    func integerList(_ values: [Int]) -> String {
        if let name = integerLists[values] { return name }
        var tensor = Onnx_TensorProto()
        tensor.name = uniqueName("constant.[\(values.map(String.init).joined(separator: ","))]")
        tensor.dims = [Int64(values.count)]
        tensor.dataType = Int32(Onnx_TensorProto.DataType.int64.rawValue)
        tensor.int64Data = values.map(Int64.init)
        graph.initializer.append(tensor)
        integerLists[values] = tensor.name
        return tensor.name
    }
}

extension Onnx_AttributeProto {
    static func integer(_ name: String, _ value: Int) -> Self {
        var attribute = Self()
        attribute.name = name
        attribute.type = .int
        attribute.i = Int64(value)
        return attribute
    }

    static func integers(_ name: String, _ values: [Int]) -> Self {
        var attribute = Self()
        attribute.name = name
        attribute.type = .ints
        attribute.ints = values.map(Int64.init)
        return attribute
    }

    static func text(_ name: String, _ value: String) -> Self {
        var attribute = Self()
        attribute.name = name
        attribute.type = .string
        attribute.s = Data(value.utf8)
        return attribute
    }

    static func float(_ name: String, _ value: Float) -> Self {
        var attribute = Self()
        attribute.name = name
        attribute.type = .float
        attribute.f = value
        return attribute
    }
}

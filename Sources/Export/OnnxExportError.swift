/// Why a network could not be written as ONNX.
public enum OnnxExportError: Error, CustomStringConvertible, Equatable {
    /// The graph holds an operation the exporter has no ONNX nodes for.
    case unmappedOperation(node: String, operation: String)

    public var description: String {
        switch self {
        case let .unmappedOperation(node, operation):
            "cannot export to ONNX: operation \(operation) (node '\(node)') has no ONNX mapping; "
                + "add one in Sources/Export (see OnnxOperationMapping.swift) or export a network without it"
        }
    }
}

import Foundation
import Support

// The safetensors format (huggingface/safetensors): an 8-byte little-endian header length n,
// n bytes of JSON mapping each tensor name to {"dtype", "shape", "data_offsets": [begin, end]}
// (offsets into the data that follows the header) plus an optional "__metadata__" map of
// strings, then the raw little-endian tensor data. bstrain stores float32 ("F32") only.
#if _endian(big)
#error("safetensors files are little-endian; bstrain's reader and writer copy floats as they lie in memory")
#endif

/// Why a safetensors file could not be written, read, or loaded into a model.
public enum SafetensorsError: Error, CustomStringConvertible, Equatable {
    case unwritable(path: String, reason: String)
    case unreadable(path: String, reason: String)
    case malformedHeader(path: String, reason: String)
    case unsupportedDataType(path: String, tensor: String, dataType: String)
    case dataOutOfBounds(path: String, tensor: String)
    case missingTensor(path: String, tensor: String)
    case unexpectedTensor(path: String, tensor: String)
    case shapeMismatch(path: String, tensor: String, expected: [Int], found: [Int])
    case sizeMismatch(path: String, tensor: String, expectedBytes: Int, foundBytes: Int)

    public var description: String {
        switch self {
        case let .unwritable(path, reason):
            "cannot write \(path): \(reason); check free space and that its folder exists and is writable, or write elsewhere"
        case let .unreadable(path, reason):
            "cannot read \(path): \(reason)"
        case let .malformedHeader(path, reason):
            "\(path) is not a valid safetensors file (\(reason)); it may be truncated or another format"
        case let .unsupportedDataType(path, tensor, dataType):
            "\(path): tensor '\(tensor)' is \(dataType); bstrain reads F32 only (convert it to float32)"
        case let .dataOutOfBounds(path, tensor):
            "\(path): the data of tensor '\(tensor)' lies beyond the end of the file; the file is truncated"
        case let .missingTensor(path, tensor):
            "\(path) has no tensor '\(tensor)', which the model needs: was it saved from another --model?"
        case let .unexpectedTensor(path, tensor):
            "\(path) holds tensor '\(tensor)', which the model does not have: was it saved from another --model?"
        case let .shapeMismatch(path, tensor, expected, found):
            "\(path): tensor '\(tensor)' has shape \(found) but the model expects \(expected): was it saved with other --channels or number of classes?"
        case let .sizeMismatch(path, tensor, expectedBytes, foundBytes):
            "\(path): tensor '\(tensor)' has \(foundBytes) bytes of data but its shape needs \(expectedBytes); the file is damaged"
        }
    }
}

/// The contents of a safetensors file: where each tensor's bytes lie, and the metadata.
public struct SafetensorsFile {
    public struct TensorInfo: Equatable, Sendable {
        public var dataType: String
        public var shape: [Int]
        /// Byte range within `data`.
        public var byteRange: Range<Int>
    }

    public let path: String
    public let tensors: [String: TensorInfo]
    public let metadata: [String: String]
    /// Everything after the header; `TensorInfo.byteRange` counts from its first byte.
    public let data: Data

    /// Reads and checks the header of the file at `url`; every tensor's bytes must lie
    /// within the file.
    public init(contentsOf url: URL) throws(SafetensorsError) {
        let contents: Data
        do {
            contents = try Data(contentsOf: url)
        } catch {
            throw .unreadable(path: url.path, reason: error.localizedDescription)
        }
        try self.init(contents, path: url.path)
    }

    /// Parses `contents`, a whole safetensors file; `path` names it in errors.
    public init(_ contents: Data, path: String) throws(SafetensorsError) {
        let base = contents.startIndex
        guard contents.count >= 8 else { throw .malformedHeader(path: path, reason: "shorter than 8 bytes") }
        let headerLength = contents[base..<base + 8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard headerLength <= UInt64(contents.count - 8) else {
            throw .malformedHeader(path: path, reason: "header length \(headerLength) exceeds the file")
        }
        let dataStart = base + 8 + Int(headerLength)
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: contents[base + 8..<dataStart])
        } catch {
            throw .malformedHeader(path: path, reason: "header is not JSON")
        }
        guard let header = json as? [String: Any] else {
            throw .malformedHeader(path: path, reason: "header is not a JSON object")
        }
        let dataCount = contents.endIndex - dataStart
        var tensors: [String: TensorInfo] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                guard let map = value as? [String: String] else {
                    throw .malformedHeader(path: path, reason: "__metadata__ is not a map of strings")
                }
                metadata = map
                continue
            }
            guard let fields = value as? [String: Any],
                  let dataType = fields["dtype"] as? String,
                  let shape = fields["shape"] as? [Int],
                  let offsets = fields["data_offsets"] as? [Int], offsets.count == 2,
                  shape.allSatisfy({ $0 >= 0 }), offsets[0] >= 0, offsets[0] <= offsets[1]
            else { throw .malformedHeader(path: path, reason: "entry '\(name)' lacks a valid dtype, shape or data_offsets") }
            guard offsets[1] <= dataCount else { throw .dataOutOfBounds(path: path, tensor: name) }
            let info = TensorInfo(dataType: dataType, shape: shape, byteRange: offsets[0]..<offsets[1])
            try Self.checkSize(of: info, name: name, path: path)
            tensors[name] = info
        }
        try Self.checkNoOverlap(tensors, path: path)
        self.path = path
        self.tensors = tensors
        self.metadata = metadata
        self.data = contents[dataStart...]
    }

    /// Bytes per element of the data types the safetensors format defines.
    static let elementSizes: [String: Int] = [
        "BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1, "I16": 2, "U16": 2, "F16": 2, "BF16": 2,
        "I32": 4, "U32": 4, "F32": 4, "I64": 8, "U64": 8, "F64": 8,
    ]

    /// A tensor's byte range must hold exactly what its shape and type need; a shape whose
    /// element count overflows describes no real tensor.
    private static func checkSize(of info: TensorInfo, name: String, path: String) throws(SafetensorsError) {
        guard let elementSize = elementSizes[info.dataType] else {
            throw .unsupportedDataType(path: path, tensor: name, dataType: info.dataType)
        }
        var bytes = elementSize
        for extent in info.shape {
            let (product, overflow) = bytes.multipliedReportingOverflow(by: extent)
            guard !overflow else {
                throw .malformedHeader(path: path, reason: "tensor '\(name)' has shape \(info.shape), more elements than any file holds")
            }
            bytes = product
        }
        guard info.byteRange.count == bytes else {
            throw .sizeMismatch(path: path, tensor: name, expectedBytes: bytes, foundBytes: info.byteRange.count)
        }
    }

    /// Two tensors may not share bytes: a header that points two names at one range (or at
    /// overlapping ones) would load the same values twice.
    private static func checkNoOverlap(_ tensors: [String: TensorInfo], path: String) throws(SafetensorsError) {
        let ordered = tensors.filter { !$0.value.byteRange.isEmpty }.sorted { $0.value.byteRange.lowerBound < $1.value.byteRange.lowerBound }
        for (previous, next) in zip(ordered, ordered.dropFirst()) where next.value.byteRange.lowerBound < previous.value.byteRange.upperBound {
            throw .malformedHeader(path: path, reason: "tensors '\(previous.key)' and '\(next.key)' overlap")
        }
    }

    /// The values of float32 tensor `name`, checked against its shape.
    public func floats(_ name: String) throws(SafetensorsError) -> [Float] {
        guard let info = tensors[name] else { throw .missingTensor(path: path, tensor: name) }
        try check(info, name: name, shape: info.shape)
        var values = [Float](repeating: 0, count: info.byteRange.count / MemoryLayout<Float>.size)
        data.withUnsafeBytes { raw in
            // Copied, not rebound: the tensor's bytes need not be aligned for Float.
            values.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[info.byteRange])) }
        }
        return values
    }

    /// Throws unless tensor `name` (described by `info`) is float32 of `shape`; that its bytes
    /// fit its shape was checked when the file was opened.
    func check(_ info: TensorInfo, name: String, shape: [Int]) throws(SafetensorsError) {
        guard info.dataType == "F32" else {
            throw .unsupportedDataType(path: path, tensor: name, dataType: info.dataType)
        }
        guard info.shape == shape else {
            throw .shapeMismatch(path: path, tensor: name, expected: shape, found: info.shape)
        }
    }

    /// Encodes float32 tensors, in the order given and packed without gaps, with `metadata`.
    /// The header is padded with spaces to a multiple of 8 bytes so the data stays aligned.
    public static func encode(
        _ tensors: [(name: String, shape: [Int], values: UnsafeBufferPointer<Float>)],
        metadata: [String: String] = [:]
    ) -> Data {
        var entries: [String: HeaderEntry] = [:]
        var offset = 0
        for tensor in tensors {
            precondition(tensor.shape.reduce(1, *) == tensor.values.count, "tensor \(tensor.name): shape and values disagree")
            let end = offset + tensor.values.count * MemoryLayout<Float>.size
            entries[tensor.name] = HeaderEntry(dtype: "F32", shape: tensor.shape, data_offsets: [offset, end])
            offset = end
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding strings, integers and arrays of them cannot fail.
        var header = try! encoder.encode(Header(tensors: entries, metadata: metadata))
        header.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - header.count % 8) % 8))
        var file = Data(capacity: 8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(header)
        for tensor in tensors { file.append(tensor.values) }
        return file
    }

    private struct HeaderEntry: Encodable {
        var dtype: String
        var shape: [Int]
        var data_offsets: [Int]
    }

    private struct Header: Encodable {
        var tensors: [String: HeaderEntry]
        var metadata: [String: String]

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            for (name, entry) in tensors { try container.encode(entry, forKey: Key(stringValue: name)) }
            if !metadata.isEmpty { try container.encode(metadata, forKey: Key(stringValue: "__metadata__")) }
        }
    }
}

extension Executor {
    /// Writes every named tensor of the graph (trainable parameters and state such as BN
    /// running statistics) to `url` as safetensors, atomically (`AtomicFile`), so an existing
    /// file is never left half-written, not even by a full disk. Shapes are the engine's:
    /// convolution weights [out, kh, kw, in/groups] (PyTorch's are [out, in/groups, kh, kw]);
    /// the metadata says so under "layout".
    public func saveSafetensors(to url: URL, metadata: [String: String] = [:]) throws(SafetensorsError) {
        let tensors = graph.parameters.map { entry in
            (name: entry.name, shape: entry.shape, values: UnsafeBufferPointer(view(of: entry)))
        }
        let layout = ["layout": "NHWC; convolution weights [out, kh, kw, in/groups]; linear weights [out, in]"]
        let file = SafetensorsFile.encode(tensors, metadata: layout.merging(metadata) { $1 })
        do throws(FileWriteError) {
            try AtomicFile.write(file, to: url.path)
        } catch {
            throw .unwritable(path: url.path, reason: error.reason)
        }
    }

    /// Loads every named tensor of the graph from the safetensors file at `url` and returns
    /// its metadata. The file must hold exactly the graph's tensors, each float32 of the
    /// expected shape; every check passes before anything is copied, so a failed load leaves
    /// the parameters as they were.
    @discardableResult
    public func loadSafetensors(from url: URL) throws(SafetensorsError) -> [String: String] {
        let file = try SafetensorsFile(contentsOf: url)
        try load(file)
        return file.metadata
    }

    /// Loads the graph's tensors from an opened file; tensors named in `ignoring` (a
    /// checkpoint's optimizer state) may be present besides them.
    public func load(_ file: SafetensorsFile, ignoring: Set<String> = []) throws(SafetensorsError) {
        let expected = Set(graph.parameters.map(\.name))
        if let extra = file.tensors.keys.sorted().first(where: { !expected.contains($0) && !ignoring.contains($0) }) {
            throw .unexpectedTensor(path: file.path, tensor: extra)
        }
        for entry in graph.parameters {
            guard let info = file.tensors[entry.name] else { throw .missingTensor(path: file.path, tensor: entry.name) }
            try file.check(info, name: entry.name, shape: entry.shape)
        }
        file.data.withUnsafeBytes { raw in
            for entry in graph.parameters {
                let range = file.tensors[entry.name]!.byteRange
                let destination = view(of: entry)
                UnsafeMutableRawBufferPointer(destination).copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[range]))
            }
        }
    }
}

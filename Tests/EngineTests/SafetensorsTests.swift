import Engine
import Foundation
import Testing

@Suite struct SafetensorsTests {
    /// conv (3x3, 1 -> 4) + BN + ReLU, pooled, then a linear layer to `classes`.
    static func graph(classes: Int = 2, extraLayer: Bool = false) -> Graph {
        let builder = GraphBuilder(inputShape: TensorShape(height: 8, width: 8, channels: 1))
        var x = builder.scope("features") {
            let convolved = builder.convolution(builder.input, outputChannels: 4, kernelSize: 3, name: "0")
            return builder.relu(builder.batchNorm(convolved, name: "1"))
        }
        if extraLayer { x = builder.convolution(x, outputChannels: 4, kernelSize: 1, name: "extra") }
        let pooled = builder.globalAveragePool(x)
        return builder.build(embedding: pooled, logits: builder.linear(pooled, outputFeatures: classes, name: "fc"))
    }

    /// An executor with seeded parameters and distinct running statistics.
    static func executor(_ graph: Graph = graph(), seed: UInt64) -> Executor {
        let executor = Executor(graph: graph, batchCapacity: 1)
        executor.initializeParameters(seed: seed)
        for i in executor.state.indices { executor.state[i] = Float(seed) + Float(i) / 8 }
        return executor
    }

    static func temporaryURL() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("bstrain-\(UUID().uuidString).safetensors")
    }

    @Test func roundTripRestoresEveryParameterAndStatistic() throws {
        let url = Self.temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        let saved = Self.executor(seed: 1)
        try saved.saveSafetensors(to: url, metadata: ["model": "test"])
        let loaded = Self.executor(seed: 2)
        #expect(Array(loaded.parameters) != Array(saved.parameters))

        let metadata = try loaded.loadSafetensors(from: url)
        #expect(Array(loaded.parameters) == Array(saved.parameters))
        #expect(Array(loaded.state) == Array(saved.state))
        #expect(metadata["model"] == "test")
        #expect(metadata["layout"] != nil)
    }

    /// What any safetensors reader relies on, checked byte by byte without a library.
    @Test func fileFollowsTheSafetensorsLayout() throws {
        let url = Self.temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        let executor = Self.executor(seed: 3)
        try executor.saveSafetensors(to: url)
        let bytes = try [UInt8](Data(contentsOf: url))

        let headerLength = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(headerLength % 8 == 0, "header padded so the data is 8-byte aligned")
        let header = try #require(
            try JSONSerialization.jsonObject(with: Data(bytes[8..<8 + headerLength])) as? [String: Any])
        #expect(Set(header.keys) == Set(executor.graph.parameters.map(\.name) + ["__metadata__"]))

        var expectedOffset = 0
        for entry in executor.graph.parameters {
            let fields = try #require(header[entry.name] as? [String: Any], "\(entry.name)")
            #expect(fields["dtype"] as? String == "F32")
            #expect(fields["shape"] as? [Int] == entry.shape)
            let offsets = try #require(fields["data_offsets"] as? [Int])
            #expect(offsets == [expectedOffset, expectedOffset + 4 * entry.elementCount], "\(entry.name)")
            // The stored bytes are the little-endian floats of the tensor.
            let start = 8 + headerLength + offsets[0]
            let stored = (0..<entry.elementCount).map { index in
                Float(bitPattern: bytes[start + 4 * index..<start + 4 * index + 4].reversed()
                    .reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
            }
            #expect(stored == Array(executor.view(of: entry)), "\(entry.name)")
            expectedOffset = offsets[1]
        }
        #expect(bytes.count == 8 + headerLength + expectedOffset, "no bytes after the last tensor")
    }

    @Test func shapeMismatchNamesTheTensorAndLeavesParametersUntouched() throws {
        let url = Self.temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        try Self.executor(Self.graph(classes: 3), seed: 1).saveSafetensors(to: url)
        let target = Self.executor(seed: 2)
        let before = Array(target.parameters)

        #expect(throws: SafetensorsError.shapeMismatch(path: url.path, tensor: "fc.weight", expected: [2, 4], found: [3, 4])) {
            try target.loadSafetensors(from: url)
        }
        #expect(Array(target.parameters) == before)
    }

    @Test func missingAndUnexpectedTensorsAreNamed() throws {
        let url = Self.temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        try Self.executor(seed: 1).saveSafetensors(to: url)
        #expect(throws: SafetensorsError.missingTensor(path: url.path, tensor: "extra.weight")) {
            try Self.executor(Self.graph(extraLayer: true), seed: 2).loadSafetensors(from: url)
        }

        try Self.executor(Self.graph(extraLayer: true), seed: 1).saveSafetensors(to: url)
        #expect(throws: SafetensorsError.unexpectedTensor(path: url.path, tensor: "extra.weight")) {
            try Self.executor(seed: 2).loadSafetensors(from: url)
        }
    }

    @Test func truncatedOrForeignFilesAreRefused() throws {
        let executor = Self.executor(seed: 1)
        let tensors = executor.graph.parameters.map {
            (name: $0.name, shape: $0.shape, values: UnsafeBufferPointer(executor.view(of: $0)))
        }
        let whole = SafetensorsFile.encode(tensors)
        #expect(throws: SafetensorsError.dataOutOfBounds(path: "cut", tensor: "fc.bias")) {
            try SafetensorsFile(whole.dropLast(4), path: "cut")
        }
        #expect(throws: SafetensorsError.self) { try SafetensorsFile(whole.prefix(20), path: "cut") }
        let foreign = #expect(throws: SafetensorsError.self) {
            try SafetensorsFile(Data("Golden retriever, not tensors".utf8), path: "text")
        }
        guard case .malformedHeader = foreign else {
            Issue.record("expected a malformed header, got \(String(describing: foreign))")
            return
        }
    }

    /// A hand-written file: 8-byte length, JSON header, data.
    static func file(header: String, dataBytes: Int) -> Data {
        var data = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(Data(header.utf8))
        data.append(Data(count: dataBytes))
        return data
    }

    @Test func otherDataTypesAndInconsistentSizesAreRefused() throws {
        let half = try SafetensorsFile(
            Self.file(header: #"{"w":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}"#, dataBytes: 4), path: "half")
        #expect(throws: SafetensorsError.unsupportedDataType(path: "half", tensor: "w", dataType: "F16")) {
            try half.floats("w")
        }
        // Sizes are checked when the file is opened, for every reader alike.
        #expect(throws: SafetensorsError.sizeMismatch(path: "short", tensor: "w", expectedBytes: 8, foundBytes: 4)) {
            try SafetensorsFile(Self.file(header: #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, dataBytes: 4), path: "short")
        }
        #expect(throws: SafetensorsError.unsupportedDataType(path: "odd", tensor: "w", dataType: "F33")) {
            try SafetensorsFile(Self.file(header: #"{"w":{"dtype":"F33","shape":[1],"data_offsets":[0,4]}}"#, dataBytes: 4), path: "odd")
        }
    }

    /// A shape of [2^62, 4] overflowed the size computation and trapped; it is refused.
    @Test func aShapeWhoseSizeOverflowsIsRefused() {
        let header = #"{"w":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,16]}}"#
        #expect(throws: SafetensorsError.malformedHeader(
            path: "huge", reason: "tensor 'w' has shape [4611686018427387904, 4], more elements than any file holds")) {
            try SafetensorsFile(Self.file(header: header, dataBytes: 16), path: "huge")
        }
    }

    @Test func tensorsThatShareBytesAreRefused() {
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
        #expect(throws: SafetensorsError.malformedHeader(path: "overlap", reason: "tensors 'a' and 'b' overlap")) {
            try SafetensorsFile(Self.file(header: header, dataBytes: 12), path: "overlap")
        }
    }

    @Test func readsFilesWrittenByOtherTools() throws {
        // Unpadded header, metadata first, as the Python library may write it.
        var contents = Self.file(
            header: #"{"__metadata__":{"format":"pt"},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#,
            dataBytes: 0)
        for value: Float in [1.5, -2, 0.25] { withUnsafeBytes(of: value.bitPattern.littleEndian) { contents.append(contentsOf: $0) } }
        let file = try SafetensorsFile(contents, path: "python")
        #expect(try file.floats("a") == [1.5, -2])
        #expect(try file.floats("b") == [0.25])
        #expect(file.metadata == ["format": "pt"])
    }

    @Test func aFailedWriteGivesTheSystemsReason() {
        let path = FileManager.default.temporaryDirectory.path + "/bstrain-missing-\(UUID().uuidString)/w.safetensors"
        #expect { try Self.executor(seed: 1).saveSafetensors(to: URL(fileURLWithPath: path)) } throws: { error in
            "\(error)" == "cannot write \(path): No such file or directory; check free space and that its folder exists and is writable, or write elsewhere"
        }
    }

    /// A full disk, made by filling a small tmpfs; mounting one needs root.
    @Test(.enabled(if: getuid() == 0)) func aFullDiskLeavesTheOldWeightsWholeAndSaysWhy() throws {
        let folder = FileManager.default.temporaryDirectory.path + "/bstrain-full-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try #require(Self.run("/bin/mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", folder))
        defer { _ = Self.run("/bin/umount", folder) }
        let url = URL(fileURLWithPath: "\(folder)/w.safetensors")
        try Self.executor(seed: 1).saveSafetensors(to: url)
        let saved = try Data(contentsOf: url)
        _ = Self.run("/bin/dd", "if=/dev/zero", "of=\(folder)/filler", "bs=4096")  // fails once the disk is full

        #expect { try Self.executor(seed: 2).saveSafetensors(to: url) } throws: { error in
            "\(error)".contains(": No space left on device; check free space")
        }
        #expect(try Data(contentsOf: url) == saved)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["filler", "w.safetensors"])
    }

    /// Runs a program and says whether it succeeded.
    static func run(_ program: String, _ arguments: String...) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}

import Engine
import Foundation
import Support

/// A gallery for similar-case retrieval (`bstrain index`, `retrieve`, `eval --gallery`): the
/// embeddings of a labelled folder's images with their paths and labels, in one safetensors
/// file. Tensors: `embeddings` (count, width) and `labels` (count), labels as float32 (exact
/// below 2^24) since safetensors readers everywhere take F32; paths, class names and the
/// weights that made it are in the metadata, so the file is read by any safetensors tool.
public struct EmbeddingIndex: Equatable {
    /// (count, width) embeddings, in the order of `paths`.
    public let embeddings: [Float]
    public let width: Int
    public let paths: [String]
    /// Class index of each image into `classNames`.
    public let labels: [Int]
    public let classNames: [String]
    /// The weights whose embeddings these are; queries must be embedded by the same ones.
    public let weights: WeightsFingerprint

    public var count: Int { paths.count }

    public init(embeddings: [Float], width: Int, paths: [String], labels: [Int], classNames: [String], weights: WeightsFingerprint) {
        precondition(embeddings.count == paths.count * width && labels.count == paths.count, "one embedding and label per path")
        self.embeddings = embeddings
        self.width = width
        self.paths = paths
        self.labels = labels
        self.classNames = classNames
        self.weights = weights
    }

    private enum Key {
        static let paths = "bstrain.index.paths"
        static let classNames = "bstrain.index.classes"
        static let weightsPath = "bstrain.index.weights"
        static let weightsChecksum = "bstrain.index.weights_fnv1a64"
    }

    /// Writes the index to `path` atomically.
    public func write(to path: String) throws(EmbeddingIndexError) {
        let floatLabels = labels.map(Float.init)
        let metadata = [
            Key.paths: Self.json(paths), Key.classNames: Self.json(classNames),
            Key.weightsPath: weights.path, Key.weightsChecksum: weights.checksum,
        ]
        let file = embeddings.withUnsafeBufferPointer { embeddings in
            floatLabels.withUnsafeBufferPointer { labels in
                SafetensorsFile.encode(
                    [("embeddings", [count, width], embeddings), ("labels", [count], labels)], metadata: metadata)
            }
        }
        do throws(FileWriteError) {
            try AtomicFile.write(file, to: path)
        } catch {
            throw .unwritable(path: path, reason: error.reason)
        }
    }

    /// Reads an index written by `write(to:)`.
    public init(contentsOf path: String) throws(EmbeddingIndexError) {
        let file: SafetensorsFile
        do {
            file = try SafetensorsFile(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .notAnIndex(path: path, reason: "\(error)")
        }
        func strings(_ key: String) throws(EmbeddingIndexError) -> [String] {
            guard let text = file.metadata[key], let values = try? JSONDecoder().decode([String].self, from: Data(text.utf8)) else {
                throw .notAnIndex(path: path, reason: "its metadata has no list '\(key)'")
            }
            return values
        }
        let paths = try strings(Key.paths)
        let classNames = try strings(Key.classNames)
        guard let weightsPath = file.metadata[Key.weightsPath], let checksum = file.metadata[Key.weightsChecksum] else {
            throw .notAnIndex(path: path, reason: "its metadata does not name the weights that made it")
        }
        let embeddings: [Float]
        let floatLabels: [Float]
        do {
            embeddings = try file.floats("embeddings")
            floatLabels = try file.floats("labels")
        } catch {
            throw .notAnIndex(path: path, reason: "\(error)")
        }
        let shape = file.tensors["embeddings"]!.shape
        guard shape.count == 2, shape[0] == paths.count, floatLabels.count == paths.count else {
            throw .notAnIndex(path: path, reason: "\(paths.count) paths but embeddings of shape \(shape) and \(floatLabels.count) labels")
        }
        let labels = floatLabels.map { Int(exactly: $0) ?? -1 }
        guard labels.allSatisfy({ classNames.indices.contains($0) }) else {
            throw .notAnIndex(path: path, reason: "a label is not a class index in 0..<\(classNames.count)")
        }
        self.init(
            embeddings: embeddings, width: shape[1], paths: paths, labels: labels, classNames: classNames,
            weights: WeightsFingerprint(path: weightsPath, checksum: checksum))
    }

    /// Throws unless `trained` is the weights this index was made with: embeddings of other
    /// weights live in another space, and their similarities mean nothing.
    public func checkMade(by trained: TrainedModel, indexPath: String) throws(EmbeddingIndexError) {
        let given = try WeightsFingerprint(of: trained.path)
        guard given.checksum == weights.checksum else {
            throw .otherWeights(index: indexPath, indexWeights: weights.path, given: trained.path)
        }
    }

    private static func json(_ strings: [String]) -> String {
        // Encoding strings cannot fail.
        String(decoding: try! JSONEncoder().encode(strings), as: UTF8.self)
    }
}

/// Which weights file made an index: its path as given, and a checksum of its bytes that still
/// recognises it after a move (64-bit FNV-1a: a check against mix-ups, not against tampering).
public struct WeightsFingerprint: Equatable, Sendable {
    public let path: String
    public let checksum: String

    public init(path: String, checksum: String) {
        self.path = path
        self.checksum = checksum
    }

    public init(of path: String) throws(EmbeddingIndexError) {
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw .unreadableWeights(path: path)
        }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        self.init(path: path, checksum: String(format: "%016llx", hash))
    }
}

/// Why an embedding index cannot be written, read or used.
public enum EmbeddingIndexError: Error, CustomStringConvertible, Equatable {
    case unwritable(path: String, reason: String)
    case notAnIndex(path: String, reason: String)
    case unreadableWeights(path: String)
    case otherWeights(index: String, indexWeights: String, given: String)
    /// The gallery's classes are not the weights' (a kNN vote must name the classes the head does).
    case otherClasses(index: String, indexClasses: [String], weightsClasses: [String])

    public var description: String {
        switch self {
        case let .unwritable(path, reason):
            "cannot write the index \(path): \(reason); check that its folder exists and is writable"
        case let .notAnIndex(path, reason):
            "\(path) is not an index written by 'bstrain index' (\(reason)); make one with 'bstrain index --weights W DIR --out \(path)'"
        case let .unreadableWeights(path):
            "cannot read the weights \(path) to check them against the index"
        case let .otherWeights(index, indexWeights, given):
            "the index \(index) was made with the weights \(indexWeights), not \(given): its embeddings cannot be compared with "
                + "these; pass --weights \(indexWeights), or re-index the gallery with 'bstrain index --weights \(given)'"
        case let .otherClasses(index, indexClasses, weightsClasses):
            "the index \(index) holds the classes \(indexClasses.joined(separator: ", ")), the weights \(weightsClasses.joined(separator: ", ")); "
                + "index a folder with one subfolder per trained class, named the same"
        }
    }
}

import Engine
import Foundation
import Testing
@testable import Inference

@Suite struct EmbeddingIndexTests {
    private let index = EmbeddingIndex(
        embeddings: [1, 0, 0.5, 0.25, -1, 2], width: 2, paths: ["g/a/1.jpg", "g/b/2.jpg", "g/b/3.jpg"],
        labels: [0, 1, 1], classNames: ["a", "b"], weights: WeightsFingerprint(path: "run/weights/best.safetensors", checksum: "0123456789abcdef"))

    @Test func writtenIndexReadsBackUnchanged() throws {
        let path = NSTemporaryDirectory() + "bstrain-index-\(UUID().uuidString).safetensors"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try index.write(to: path)
        #expect(try EmbeddingIndex(contentsOf: path) == index)
    }

    /// A weights file is safetensors too, but holds no gallery.
    @Test func safetensorsWithoutAGalleryIsRefused() throws {
        let path = NSTemporaryDirectory() + "bstrain-not-index-\(UUID().uuidString).safetensors"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let values: [Float] = [1, 2]
        try values.withUnsafeBufferPointer { try SafetensorsFile.encode([("weight", [2], $0)]).write(to: URL(fileURLWithPath: path)) }
        #expect {
            try EmbeddingIndex(contentsOf: path)
        } throws: { error in
            guard case .notAnIndex(path, _) = error as? EmbeddingIndexError else { return false }
            return "\(error)".contains("bstrain index --weights")
        }
    }

    @Test func fingerprintRecognisesTheSameBytesUnderAnotherName() throws {
        let first = NSTemporaryDirectory() + "bstrain-weights-\(UUID().uuidString)"
        let second = first + "-moved"
        defer { for path in [first, second] { try? FileManager.default.removeItem(atPath: path) } }
        try Data("weights".utf8).write(to: URL(fileURLWithPath: first))
        try Data("weights".utf8).write(to: URL(fileURLWithPath: second))
        #expect(try WeightsFingerprint(of: first).checksum == WeightsFingerprint(of: second).checksum)
        try Data("weightz".utf8).write(to: URL(fileURLWithPath: second))
        #expect(try WeightsFingerprint(of: first).checksum != WeightsFingerprint(of: second).checksum)
    }
}

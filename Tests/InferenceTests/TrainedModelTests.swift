import Data
import Engine
import Foundation
import Networks
import Testing
@testable import Inference

@Suite struct TrainedModelTests {
    static let metadata = WeightsMetadata(
        network: .tiny, loss: "ce", classNames: ["normal", "pneumonia"], imageSize: 32, channels: 1, epoch: 2)

    /// A weights file of `tiny` built for `channels` and `classes`, with `metadata` written beside
    /// its tensors (which need not describe them); returns its path and the parameters saved.
    func writeWeights(channels: Int = 1, classes: Int = 2, metadata: WeightsMetadata = metadata) throws -> (path: String, parameters: [Float]) {
        let model = try Model(kind: .tiny, imageSize: 32, channels: channels, classes: classes, batchCapacity: 2)
        model.executor.initializeParameters(seed: 7)
        let path = NSTemporaryDirectory() + "bstrain-weights-\(UUID().uuidString).safetensors"
        try model.executor.saveSafetensors(to: URL(fileURLWithPath: path), metadata: metadata.safetensorsMetadata)
        return (path, Array(model.executor.parameters))
    }

    @Test func buildsTheNetworkItsMetadataNamesAndLoadsItsTensors() throws {
        let (path, parameters) = try writeWeights()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let trained = try TrainedModel(weightsPath: path, batchCapacity: 4)
        #expect(trained.metadata == Self.metadata)
        #expect(trained.model.kind == .tiny && trained.model.classCount == 2 && trained.model.executor.batchCapacity == 4)
        #expect(Array(trained.model.executor.parameters) == parameters)
    }

    @Test func aMissingFileIsNamed() {
        #expect(throws: WeightsError.missingFile(path: "/nonexistent/best.safetensors")) {
            try TrainedModel(weightsPath: "/nonexistent/best.safetensors", batchCapacity: 2)
        }
    }

    @Test func aFileThatIsNotSafetensorsIsRefused() throws {
        let path = NSTemporaryDirectory() + "bstrain-not-weights-\(UUID().uuidString).jpg"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data([0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]).write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: WeightsError.self) { try TrainedModel(weightsPath: path, batchCapacity: 2) }
        guard case .notSafetensors(path, _) = error else {
            Issue.record("expected notSafetensors, got \(error)")
            return
        }
    }

    @Test func tensorsOfAnotherNetworkAreNamedAsSuch() throws {
        let claimed = WeightsMetadata(network: .mobileNetV3Small, loss: nil, classNames: ["a", "b"], imageSize: 32, channels: 1, epoch: nil)
        let (path, _) = try writeWeights(metadata: claimed)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: WeightsError.networkMismatch(path: path, metadata: .mobileNetV3Small, tensors: .tiny)) {
            try TrainedModel(weightsPath: path, batchCapacity: 2)
        }
    }

    @Test func aChannelCountOtherThanTheTensorsIsNamed() throws {
        let claimed = WeightsMetadata(network: .tiny, loss: nil, classNames: ["a", "b"], imageSize: 32, channels: 3, epoch: nil)
        let (path, _) = try writeWeights(channels: 1, metadata: claimed)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: WeightsError.channelMismatch(path: path, metadata: 3, tensors: 1)) {
            try TrainedModel(weightsPath: path, batchCapacity: 2)
        }
    }

    @Test func aClassListOtherThanTheClassifiersIsNamed() throws {
        let claimed = WeightsMetadata(network: .tiny, loss: nil, classNames: ["a", "b", "c"], imageSize: 32, channels: 1, epoch: nil)
        let (path, _) = try writeWeights(classes: 2, metadata: claimed)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: WeightsError.classCountMismatch(path: path, classNames: ["a", "b", "c"], tensors: 2)) {
            try TrainedModel(weightsPath: path, batchCapacity: 2)
        }
    }

    @Test func tensorsThatFitNoNetworkAreRefused() throws {
        let path = NSTemporaryDirectory() + "bstrain-foreign-\(UUID().uuidString).safetensors"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let values: [Float] = [1, 2]
        let file = values.withUnsafeBufferPointer {
            SafetensorsFile.encode([(name: "fc.weight", shape: [2], values: $0)], metadata: Self.metadata.safetensorsMetadata)
        }
        try file.write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: WeightsError.self) { try TrainedModel(weightsPath: path, batchCapacity: 2) }
        guard case .tensorsDoNotFit(path, .tiny, _) = error else {
            Issue.record("expected tensorsDoNotFit, got \(error)")
            return
        }
    }

    @Test func aFolderWithOtherClassesIsRefused() throws {
        let (path, _) = try writeWeights()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let trained = try TrainedModel(weightsPath: path, batchCapacity: 2)
        let folder = ImageFolder(root: URL(fileURLWithPath: "/data/test"), classNames: ["covid", "normal"], images: [])
        #expect(throws: WeightsError.classMismatch(
            path: path, weightsClasses: ["normal", "pneumonia"], folder: "/data/test", folderClasses: ["covid", "normal"])) {
            try trained.checkClasses(of: folder)
        }
        try trained.checkClasses(of: ImageFolder(root: folder.root, classNames: ["normal", "pneumonia"], images: []))
    }

    @Test func inferenceListsBadFilesAndPredictsTheOthers() throws {
        let (path, _) = try writeWeights()
        let root = NSTemporaryDirectory() + "bstrain-infer-\(UUID().uuidString)"
        defer {
            try? FileManager.default.removeItem(atPath: path)
            try? FileManager.default.removeItem(atPath: root)
        }
        try FileManager.default.createDirectory(atPath: "\(root)/x", withIntermediateDirectories: true)
        let image = Image(width: 40, height: 40, channels: 1, pixels: (0..<1600).map { UInt8($0 % 251) })
        try JPEG.encode(image).write(to: URL(fileURLWithPath: "\(root)/x/good.jpg"))
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: "\(root)/x/bad.jpg"))
        let trained = try TrainedModel(weightsPath: path, batchCapacity: 2)
        // Labels beyond the model's two classes are fine: inference does not use them.
        let folder = ImageFolder(
            root: URL(fileURLWithPath: root), classNames: ["a", "b", "x"],
            images: [LabeledImage(path: "x/bad.jpg", label: 2), LabeledImage(path: "x/good.jpg", label: 2)])

        let inference = try trained.infer(folder, threads: 1)
        #expect(inference.images == [LabeledImage(path: "x/good.jpg", label: 2)])
        #expect(inference.probabilities.count == 2 && abs(inference.probabilities.reduce(0, +) - 1) < 1e-5)
        #expect(inference.embeddings.count == Tiny.embeddingWidth)
        #expect(inference.failures.map(\.path) == ["\(root)/x/bad.jpg"])

        let allBad = ImageFolder(root: folder.root, classNames: folder.classNames, images: [folder.images[0]])
        let none = try trained.infer(allBad, threads: 1)
        #expect(none.images.isEmpty)
        #expect(none.failures.map(\.error) == [.unsupportedImageFormat(path: "\(root)/x/bad.jpg", detected: "a text file")])
    }

    @Test func embeddingCSVHasPathLabelAndOneColumnPerDimension() {
        let inference = Inference(
            images: [LabeledImage(path: "b/1.jpg", label: 1), LabeledImage(path: "a/2.jpg", label: 0)],
            probabilities: [0.5, 0.5, 0.5, 0.5], embeddings: [1, 2.5, 0, -1], embeddingWidth: 2, failures: [])
        #expect(inference.embeddingCSV(root: "data/test", classNames: ["a", "b"]) == """
            path,label,f0,f1
            data/test/b/1.jpg,b,1.0,2.5
            data/test/a/2.jpg,a,0.0,-1.0

            """)
    }
}

import Engine
import Foundation
import Networks
import Testing
@testable import Training

@Suite struct CheckpointTests {
    static func state() -> TrainingState {
        TrainingState(
            completedEpochs: 3, globalStep: 30, learningRate: 1e-3, scheduler: ReduceLROnPlateau(),
            earlyStopping: EarlyStopping(), optimizer: "adam", optimizerStepCount: 30, history: [], model: "tiny",
            loss: "ce+bst", seed: 1, classNames: ["a", "b"], imageSize: 32, channels: 1)
    }

    static func model() throws -> Model {
        let model = try Model(kind: .tiny, imageSize: 32, channels: 1, classes: 2, batchCapacity: 2)
        model.executor.initializeParameters(seed: 7)
        return model
    }

    static func temporaryPath() -> String {
        NSTemporaryDirectory() + "bstrain-checkpoint-\(UUID().uuidString).ckpt"
    }

    @Test func aWrittenCheckpointReadsBackItsStateWeightsAndMoments() throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let model = try Self.model()
        let optimizer = Adam(parameterCount: model.parameterCount)
        optimizer.step(parameters: model.executor.parameters, gradients: model.executor.parameters)
        try Checkpoint.write(to: path, model: model, optimizer: optimizer, state: Self.state())

        let restored = try Self.model()
        restored.executor.initializeParameters(seed: 8)
        let restoredOptimizer = Adam(parameterCount: restored.parameterCount)
        #expect(try Checkpoint.read(from: path, into: restored, optimizer: restoredOptimizer) == Self.state())
        let sameWeights = Array(restored.executor.parameters) == Array(model.executor.parameters)
        let sameMoments = restoredOptimizer.state.tensors == optimizer.state.tensors
        #expect(sameWeights)
        #expect(sameMoments)
    }

    @Test func theMovingAverageIsKeptAndACheckpointWithoutOneRestartsItFromTheWeights() throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let model = try Self.model()
        let optimizer = Adam(parameterCount: model.parameterCount)
        let average = ExponentialMovingAverage(decay: 0.9, startingFrom: model)
        optimizer.step(parameters: model.executor.parameters, gradients: model.executor.parameters)
        average.update(from: model, step: optimizer.stepCount)
        try Checkpoint.write(to: path, model: model, optimizer: optimizer, average: average, state: Self.state())

        let restored = try Self.model()
        let restoredAverage = ExponentialMovingAverage(decay: 0.9, startingFrom: try Self.model())
        restored.executor.initializeParameters(seed: 8)
        _ = try Checkpoint.read(from: path, into: restored, optimizer: Adam(parameterCount: restored.parameterCount), average: restoredAverage)
        #expect(restoredAverage.parameters == average.parameters)
        #expect(Array(restored.executor.parameters) == Array(model.executor.parameters))

        // Written without --ema: the average starts from the weights the checkpoint holds.
        try Checkpoint.write(to: path, model: model, optimizer: optimizer, state: Self.state())
        let fresh = ExponentialMovingAverage(decay: 0.9, startingFrom: try Self.model())
        _ = try Checkpoint.read(from: path, into: restored, optimizer: Adam(parameterCount: restored.parameterCount), average: fresh)
        #expect(fresh.parameters == Array(model.executor.parameters))
    }

    /// Swapping the byte ranges of two tensors of one shape leaves every byte of data and the
    /// training state as they were: only a checksum that covers the header sees it.
    @Test func swappedTensorOffsetsAreCaughtByTheChecksum() throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let model = try Self.model()
        let optimizer = Adam(parameterCount: model.parameterCount)
        try Checkpoint.write(to: path, model: model, optimizer: optimizer, state: Self.state())

        var contents = try Data(contentsOf: URL(fileURLWithPath: path))
        let headerLength = Int(contents.prefix(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        var header = try #require(try JSONSerialization.jsonObject(with: contents[8..<8 + headerLength]) as? [String: Any])
        let first = "optimizer.exp_avg", second = "optimizer.exp_avg_sq"
        var a = try #require(header[first] as? [String: Any]), b = try #require(header[second] as? [String: Any])
        (a["data_offsets"], b["data_offsets"]) = (b["data_offsets"], a["data_offsets"])
        header[first] = a
        header[second] = b
        var swapped = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys, .withoutEscapingSlashes])
        try #require(swapped.count <= headerLength)
        swapped.append(contentsOf: repeatElement(UInt8(ascii: " "), count: headerLength - swapped.count))
        contents.replaceSubrange(8..<8 + headerLength, with: swapped)
        try contents.write(to: URL(fileURLWithPath: path))

        #expect(throws: TrainingError.self) {
            try Checkpoint.read(from: path, into: try Self.model(), optimizer: Adam(parameterCount: model.parameterCount))
        }
    }
}

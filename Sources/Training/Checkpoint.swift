import Engine
import Foundation
import Inference
import Networks
import Reports
import Support

/// Where a run stands after a completed epoch: enough, with the weights and the optimizer's
/// moments, to continue exactly as if it had not stopped. The batch plan and dropout masks
/// are pure functions of (seed, epoch, step), so no generator state needs saving.
struct TrainingState: Codable, Equatable {
    var completedEpochs: Int
    var globalStep: Int
    var learningRate: Double
    var scheduler: ReduceLROnPlateau
    var earlyStopping: EarlyStopping
    var optimizer: String
    var optimizerStepCount: Int
    var history: [HistoryRow]
    var model: String
    var loss: String
    var seed: UInt64
    var classNames: [String]
    var imageSize: Int
    var channels: Int
    /// Set when the run was interrupted inside an epoch.
    var epochProgress: EpochProgress?
    /// Early stopping ended the run; resuming it trains no further.
    var stoppedEarly = false
}

/// How far an epoch got, and its running loss sums, for a run interrupted inside it.
struct EpochProgress: Codable, Equatable {
    /// The next iteration to run.
    var iteration = 0
    /// Steps that updated the weights (skipped non-finite steps are not counted).
    var steps = 0
    var total = 0.0
    var crossEntropy = 0.0
    var metric = 0.0
    var images = 0
    var seconds = 0.0

    mutating func add(_ losses: StepLosses) {
        steps += 1
        total += losses.total
        crossEntropy += losses.crossEntropy
        metric += losses.metric
    }
}

/// checkpoints/last.ckpt: a safetensors file holding the model's tensors, the optimizer's
/// per-parameter tensors ("optimizer.exp_avg", ...), the parameters' moving average with
/// `--ema` ("ema.parameters") and the training state as JSON metadata,
/// with a CRC-32 over the whole file (header and data) that is verified before anything is
/// loaded. Written atomically, so the previous checkpoint stays whole until the new one is
/// complete.
enum Checkpoint {
    static let stateKey = WeightsMetadata.checkpointStateKey
    static let checksumKey = "bstrain.file_crc32"
    /// Checkpoints written before the checksum covered the header: their CRC-32 covers the
    /// training state and the tensors' bytes only. Still read, so a run started by an older
    /// bstrain can be continued.
    static let legacyChecksumKey = "bstrain.crc32"

    static func write(
        to path: String, model: Model, optimizer: any Optimizer, average: ExponentialMovingAverage? = nil, state: TrainingState
    ) throws {
        let executor = model.executor
        let optimizerState = optimizer.state
        let stateJSON = String(decoding: try JSONEncoder.checkpoint.encode(state), as: UTF8.self)
        var flatTensors = Dictionary(uniqueKeysWithValues: optimizerState.tensors.map { ("optimizer.\($0.key)", $0.value) })
        if let average { flatTensors[ExponentialMovingAverage.checkpointTensorName] = average.parameters }
        let data = try withFlatTensors(flatTensors, names: flatTensors.keys.sorted()) { flat in
            var tensors: [(name: String, shape: [Int], values: UnsafeBufferPointer<Float>)] = model.graph.parameters.map {
                (name: $0.name, shape: $0.shape, values: UnsafeBufferPointer(executor.view(of: $0)))
            }
            tensors += flat
            // The checksum covers the header as written; the offsets do not depend on the
            // header's length, so the file is encoded, summed, then encoded with its sum.
            let unsigned = SafetensorsFile.encode(tensors, metadata: [stateKey: stateJSON])
            let checksum = Self.checksum(of: try SafetensorsFile(unsigned, path: path))
            return SafetensorsFile.encode(tensors, metadata: [stateKey: stateJSON, checksumKey: String(checksum)])
        }
        try AtomicFile.write(data, to: path)
    }

    /// CRC-32 over everything the file says: every tensor's name, type, shape and byte range
    /// (by name), every metadata entry but the checksum itself (by key), then the data. Any
    /// change, to a shape or an offset as much as to a value, changes it.
    static func checksum(of file: SafetensorsFile) -> UInt32 {
        var description = ""
        for (name, info) in file.tensors.sorted(by: { $0.key < $1.key }) {
            description += "\(name)\t\(info.dataType)\t\(info.shape)\t\(info.byteRange.lowerBound)-\(info.byteRange.upperBound)\n"
        }
        for (key, value) in file.metadata.sorted(by: { $0.key < $1.key }) where key != checksumKey {
            description += "\(key)\t\(value)\n"
        }
        var checksum = CRC32()
        Array(description.utf8).withUnsafeBytes { checksum.update($0) }
        file.data.withUnsafeBytes { checksum.update($0) }
        return checksum.value
    }

    /// The sum a checkpoint from before `checksumKey` was introduced carries.
    private static func legacyChecksum(of file: SafetensorsFile, stateJSON: String) -> UInt32 {
        var checksum = CRC32()
        Array(stateJSON.utf8).withUnsafeBytes { checksum.update($0) }
        // The writer summed the tensors in the order it stored them: by data offset.
        let storedRanges = file.tensors.values.map(\.byteRange).sorted { $0.lowerBound < $1.lowerBound }
        file.data.withUnsafeBytes { raw in
            for range in storedRanges { checksum.update(UnsafeRawBufferPointer(rebasing: raw[range])) }
        }
        return checksum.value
    }

    /// Reads and verifies `path`, then loads it into `model`, `optimizer` and `average`. A
    /// checkpoint without an average (written without `--ema`) restarts `average` from the
    /// loaded weights. Nothing is changed unless every check passes.
    static func read(
        from path: String, into model: Model, optimizer: any Optimizer, average: ExponentialMovingAverage? = nil
    ) throws -> TrainingState {
        guard FileManager.default.fileExists(atPath: path) else {
            throw TrainingError.missingFile(path: path, what: "checkpoint")
        }
        let file: SafetensorsFile
        do {
            file = try SafetensorsFile(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw TrainingError.corruptCheckpoint(path: path, reason: "\(error)")
        }
        guard let stateJSON = file.metadata[stateKey] else {
            throw TrainingError.corruptCheckpoint(path: path, reason: "it has no training state or checksum: not a bstrain checkpoint")
        }
        let verified: Bool
        if let stored = file.metadata[checksumKey].flatMap(UInt32.init) {
            verified = checksum(of: file) == stored
        } else if let stored = file.metadata[legacyChecksumKey].flatMap(UInt32.init) {
            verified = legacyChecksum(of: file, stateJSON: stateJSON) == stored
        } else {
            throw TrainingError.corruptCheckpoint(path: path, reason: "it has no training state or checksum: not a bstrain checkpoint")
        }
        guard verified else {
            throw TrainingError.corruptCheckpoint(path: path, reason: "checksum mismatch: the file was truncated or altered")
        }
        let optimizerNames = file.tensors.keys.filter { $0.hasPrefix("optimizer.") }.sorted()
        let state: TrainingState
        do {
            state = try JSONDecoder.checkpoint.decode(TrainingState.self, from: Data(stateJSON.utf8))
        } catch {
            throw TrainingError.corruptCheckpoint(path: path, reason: "unreadable training state: \(error)")
        }
        guard state.model == model.kind.rawValue else {
            throw TrainingError.checkpointMismatch(path: path, reason: "it was written for --model \(state.model), not \(model.kind.rawValue)")
        }
        var optimizerTensors: [String: [Float]] = [:]
        let averageName = ExponentialMovingAverage.checkpointTensorName
        do {
            for name in optimizerNames { optimizerTensors[String(name.dropFirst("optimizer.".count))] = try file.floats(name) }
            let averageValues = file.tensors[averageName] == nil ? nil : try file.floats(averageName)
            let snapshot = model.snapshot()
            try model.executor.load(file, ignoring: Set(optimizerNames + [averageName]))
            do {
                try optimizer.restore(OptimizerState(stepCount: state.optimizerStepCount, tensors: optimizerTensors))
                if let average {
                    if let averageValues { try average.restore(averageValues) } else { average.restart(from: model) }
                }
            } catch {
                model.restore(snapshot)
                throw error
            }
        } catch let error as TrainingError {
            throw error
        } catch {
            throw TrainingError.checkpointMismatch(path: path, reason: "\(error)")
        }
        return state
    }

    /// `body` with pointers to `tensors[names]`, each saved as a flat tensor under its name.
    private static func withFlatTensors<R>(
        _ tensors: [String: [Float]], names: [String],
        _ body: ([(name: String, shape: [Int], values: UnsafeBufferPointer<Float>)]) throws -> R
    ) rethrows -> R {
        func pin(_ index: Int, _ collected: [(name: String, shape: [Int], values: UnsafeBufferPointer<Float>)]) throws -> R {
            guard index < names.count else { return try body(collected) }
            return try tensors[names[index]]!.withUnsafeBufferPointer { values in
                try pin(index + 1, collected + [(name: names[index], shape: [values.count], values: values)])
            }
        }
        return try pin(0, [])
    }
}

extension JSONEncoder {
    /// Sorted keys, and infinities (an early-stopping best before the first epoch) as strings.
    static var checkpoint: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }
}

extension JSONDecoder {
    static var checkpoint: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }
}

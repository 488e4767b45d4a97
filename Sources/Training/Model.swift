import Distributed
import Engine
import Foundation
import Networks

/// A network built for one input shape and class count, with its executor and arenas.
public final class Model {
    public let kind: NetworkKind
    public let graph: Graph
    public let executor: Executor

    public init(kind: NetworkKind, imageSize: Int, channels: Int, classes: Int, batchCapacity: Int) throws {
        self.kind = kind
        graph = try makeGraph(kind, inputShape: TensorShape(height: imageSize, width: imageSize, channels: channels), classes: classes)
        executor = Executor(graph: graph, batchCapacity: batchCapacity)
    }

    public var classCount: Int { graph.classCount }
    public var embeddingWidth: Int { graph.embeddingWidth }
    public var parameterCount: Int { graph.trainableCount }

    /// Every batch-normalisation layer of the graph.
    public var batchNormLayers: [BatchNorm] {
        graph.nodes.compactMap { $0.operation as? BatchNorm }
    }

    /// Copies rank 0's parameters and state to every rank, so all start from one model.
    public func broadcastParameters(_ communicator: Communicator) throws {
        try communicator.broadcast(UnsafeMutableRawBufferPointer(executor.parameters), root: 0)
        try communicator.broadcast(UnsafeMutableRawBufferPointer(executor.state), root: 0)
    }

    /// Averages the BN running statistics over ranks, so evaluation and checkpoints do not
    /// depend on which rank's local statistics they took (DESIGN §2).
    public func averageState(_ communicator: Communicator) throws {
        guard communicator.worldSize > 1, executor.state.count > 0 else { return }
        try communicator.allReduceSum(executor.state)
        let scale = 1 / Float(communicator.worldSize)
        for index in executor.state.indices { executor.state[index] *= scale }
    }

    /// With `--sync-bn`, batch statistics (and their backward sums) are summed across ranks,
    /// so BN sees the global batch exactly as one rank would.
    public func synchronizeBatchNorm(over communicator: Communicator) {
        guard communicator.worldSize > 1 else { return }
        for layer in batchNormLayers {
            layer.statisticsReducer = { buffer, count in
                do {
                    try communicator.allReduceSum(UnsafeMutableBufferPointer(start: buffer, count: count))
                } catch {
                    FileHandle.standardError.write(Data("bstrain: synchronised batch norm failed: \(error)\n".utf8))
                    communicator.abort(code: 1)
                }
            }
        }
    }

    /// A copy of parameters and state, to restore the best epoch's weights later.
    public func snapshot() -> (parameters: [Float], state: [Float]) {
        (Array(executor.parameters), Array(executor.state))
    }

    public func restore(_ snapshot: (parameters: [Float], state: [Float])) {
        precondition(snapshot.parameters.count == executor.parameters.count && snapshot.state.count == executor.state.count)
        _ = executor.parameters.update(fromContentsOf: snapshot.parameters)
        _ = executor.state.update(fromContentsOf: snapshot.state)
    }

    /// Loads weights saved by a training run (weights/*.safetensors).
    public func loadWeights(from path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw TrainingError.missingFile(path: path, what: "weights file")
        }
        do {
            try executor.loadSafetensors(from: URL(fileURLWithPath: path))
        } catch {
            throw TrainingError.incompatibleWeights(path: path, model: kind.rawValue, reason: "\(error)")
        }
    }
}

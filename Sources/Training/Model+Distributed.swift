import Distributed
import Engine
import Foundation
import Networks
import Support

/// What ranks do together with a model: start from one set of weights, agree on batch-norm
/// statistics (docs/method.md, "Ranks").
extension Model {
    /// Copies rank 0's parameters and state to every rank, so all start from one model.
    public func broadcastParameters(_ communicator: Communicator) throws {
        try communicator.broadcast(UnsafeMutableRawBufferPointer(executor.parameters), root: 0)
        try communicator.broadcast(UnsafeMutableRawBufferPointer(executor.state), root: 0)
    }

    /// Averages the BN running statistics over ranks, so evaluation and checkpoints do not
    /// depend on which rank's local statistics they took (docs/method.md, "Batch normalisation across ranks").
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
                    writeToStandardError("bstrain: synchronised batch norm failed: \(error)\n")
                    communicator.abort(code: 1)
                }
            }
        }
    }
}

import ArgumentParser
import Data
import Distributed
import Foundation
import Inference
import Losses
import Networks
import Support
import Training

/// Runs `body` with this process's communicator (MPI under mpirun, otherwise one rank) and
/// turns failures into one clear message and a non-zero exit on every rank.
///
/// Errors that every rank meets at the same point (a bad option, a bad dataset, a failure
/// rank 0 announced to the others) end all ranks cleanly: rank 0 prints the message, MPI is
/// finalised. Anything else may have left other ranks waiting in a collective, so the job is
/// aborted through MPI, which takes every rank down rather than hang.
func runOnEveryRank(_ body: (Communicator) throws -> Void) throws {
    let communicator: Communicator
    do {
        communicator = try makeCommunicator()
    } catch {
        writeToStandardError("bstrain: error: cannot start MPI: \(error)\n")
        throw ExitCode.failure
    }
    do {
        try body(communicator)
    } catch {
        let agreed = error is RankFailure || error is TrainingError || error is ConfigurationError
            || error is DatasetError || error is RunDirectoryError || error is NetworkError || error is LossError
            || error is ComparisonError || error is WeightsError || error is MemoryBudgetError
            || error is IndexError || error is EmbeddingIndexError
        // Memory is the one check whose answer differs by node: each rank short of it speaks.
        if communicator.isRoot || !agreed || error is MemoryBudgetError {
            let prefix = communicator.worldSize > 1 && !communicator.isRoot ? "bstrain (rank \(communicator.rank)): error: " : "bstrain: error: "
            writeToStandardError("\(prefix)\(error)\n")
        }
        if agreed || communicator.worldSize == 1 {
            try finalize(communicator)
            throw ExitCode.failure
        }
        communicator.abort(code: 1)
    }
    try finalize(communicator)
}

/// Shuts the communicator down, outside the error handling above: a rank that failed to
/// finalise must not then call MPI_Abort.
private func finalize(_ communicator: Communicator) throws {
    do {
        try communicator.finalize()
    } catch {
        FileHandle.standardError.write(Data("bstrain (rank \(communicator.rank)): error: \(error)\n".utf8))
        throw ExitCode.failure
    }
}

import Distributed
import Engine

/// Runs backward and sums the parameter gradients over ranks.
///
/// With one rank it is plain backward. With several, the flat gradient arena is all-reduced
/// in place as one blocking MPI_Allreduce after backward.
final class GradientReducer {
    let executor: Executor
    let communicator: Communicator
    let bucketFloats: Int

    init(executor: Executor, communicator: Communicator, bucketFloats: Int) {
        self.executor = executor
        self.communicator = communicator
        self.bucketFloats = max(1, bucketFloats)
    }

    func backwardAndReduce(_ context: RunContext) throws {
        executor.backward(context)
        guard communicator.worldSize > 1 else { return }
        try communicator.allReduceSum(executor.parameterGradients)
    }
}

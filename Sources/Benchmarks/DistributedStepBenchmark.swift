import Distributed
import Engine
import Losses
import Networks
import Support
import Training

/// Times distributed training steps (forward, losses, backward with the bucketed gradient
/// all-reduce, Adam) on random images, so communication can be weighed against compute for a
/// given number of ranks (`bstrain bench-dist`). Every rank calls `run`; the global batch is
/// split over the ranks as in training (strong scaling: the same work per step at any rank count).
public struct DistributedStepBenchmark {
    /// The step timed; its batch is the global batch N_b, split over the ranks.
    public var settings: StepBenchmarkSettings
    /// Floats per gradient all-reduce bucket.
    public var bucketFloats: Int
    /// Batch-norm statistics over the global batch.
    public var synchronizedBatchNorm: Bool

    public init(_ settings: StepBenchmarkSettings, bucketFloats: Int, synchronizedBatchNorm: Bool) {
        self.settings = settings
        self.bucketFloats = bucketFloats
        self.synchronizedBatchNorm = synchronizedBatchNorm
    }

    /// Per-step means over the timed steps.
    public struct Result: Sendable {
        public var ranks: Int
        public var steps: Int
        /// Wall-clock seconds per step, from a barrier before the first timed step to one after the last.
        public var stepSeconds: Double
        /// Seconds per step computing (forward, losses, backward, optimizer), averaged over ranks.
        public var computeSeconds: Double
        /// Seconds per step inside communication calls, averaged over ranks.
        public var communicationSeconds: Double
        public var imagesPerSecond: Double
    }

    /// Runs the settings' untimed steps, then its timed ones. Collective: every rank must call it.
    /// - Throws: `TrainingError` when the global batch is below 2 or below the rank count.
    public func run(communicator: Communicator) throws -> Result {
        let globalBatch = settings.batch, steps = settings.steps
        precondition(steps > 0 && settings.warmUp >= 0)
        guard globalBatch >= 2 else {
            throw TrainingError.invalidOption(
                name: "--batch", value: "\(globalBatch)", expected: "at least 2: the similarity losses compare samples within a batch")
        }
        guard globalBatch >= communicator.worldSize else {
            throw TrainingError.batchTooSmallForRanks(batch: globalBatch, ranks: communicator.worldSize)
        }
        BLAS.setThreads(settings.threads)
        let slice = communicator.sliceRange(total: globalBatch)
        let model = try Model(
            kind: settings.network, imageSize: settings.imageSize, channels: settings.channels, classes: settings.classes,
            batchCapacity: max(2, slice.count))
        model.executor.initializeParameters(seed: 1)
        if synchronizedBatchNorm { model.synchronizeBatchNorm(over: communicator) }
        try model.broadcastParameters(communicator)
        let step = try TrainingStep(
            model: model, communicator: communicator, loss: settings.loss, globalBatch: globalBatch, bucketFloats: bucketFloats)
        let optimizer = Adam(parameterCount: model.parameterCount)

        // The same random global batch at any rank count: sample i's pixels are keyed by i.
        let sampleSize = settings.imageSize * settings.imageSize * settings.channels
        for (row, sample) in slice.enumerated() {
            var generator = SplitMix64(seed: SplitMix64.key(0xBE4C, UInt64(sample)))
            for index in 0..<sampleSize { model.executor.input[row * sampleSize + index] = generator.nextNormal() }
        }
        let labels = slice.map { $0 % settings.classes }
        let context = RunContext(batch: slice.count, training: true, threads: settings.threads, firstGlobalSample: slice.lowerBound)

        func trainingStep() throws {
            _ = try step.run(localCount: slice.count, labels: labels, globalCount: globalBatch, context: context)
            optimizer.step(parameters: model.executor.parameters, gradients: model.executor.parameterGradients)
        }
        for _ in 0..<settings.warmUp { try trainingStep() }
        try communicator.barrier()
        let start = monotonicSeconds()
        var busy = 0.0
        var communication = 0.0
        for _ in 0..<steps {
            let stepStart = monotonicSeconds()
            try trainingStep()
            busy += monotonicSeconds() - stepStart
            communication += step.timings.communicationSeconds
        }
        try communicator.barrier()
        let wall = monotonicSeconds() - start

        var sums = [busy - communication, communication]
        try sums.withUnsafeMutableBufferPointer { try communicator.allReduceSum($0) }
        let rankSteps = Double(communicator.worldSize * steps)
        let stepSeconds = try communicator.broadcast(wall / Double(steps))
        return Result(
            ranks: communicator.worldSize, steps: steps, stepSeconds: stepSeconds,
            computeSeconds: sums[0] / rankSteps, communicationSeconds: sums[1] / rankSteps,
            imagesPerSecond: Double(globalBatch) / stepSeconds)
    }
}

import Distributed
import Engine
import Foundation
import Losses
import Networks
import Support
import Training

/// Times the full training step as the trainer runs it on one rank: zeroing the gradients,
/// forward, cross-entropy plus the metric loss, backward, and the Adam step, on seeded random
/// images and labels (`bstrain bench --model`).
///
/// The headline step times come from unprofiled steps; a separate profiled pass, with the
/// executor timing every node, gives the breakdown by operation kind, because the timer calls
/// around each node add a little time of their own.
public final class TrainingStepBenchmark {
    /// Where the time of one profiled step went.
    public struct Share: Sendable {
        /// An `OperationKind`'s name, or "loss", "optimizer", "zero gradients", "rest of the step".
        public var part: String
        public var forwardSeconds: Double
        public var backwardSeconds: Double
        public var seconds: Double { forwardSeconds + backwardSeconds }
    }

    public struct Result: Sendable {
        public var settings: StepBenchmarkSettings
        /// Steps the breakdown is the mean of.
        public var profiledSteps: Int
        /// Seconds of each timed step, sorted.
        public var stepSeconds: [Double]
        /// Multiply-accumulates of convolutions and linear layers in one forward pass of the batch.
        public var forwardMultiplyAccumulates: Int
        /// Largest resident set of the process so far (Linux's VmHWM), in bytes.
        public var peakResidentBytes: Int
        /// How much that peak rose during the timed steps: 0 when the step allocates nothing.
        public var peakGrowthDuringStepsBytes: Int
        /// Mean seconds per profiled step by part, largest first.
        public var breakdown: [Share]
        public var parameterCount: Int

        public var medianSeconds: Double { quantile(0.5) }
        /// The q-quantile of the step times, interpolated linearly between neighbours.
        public func quantile(_ q: Double) -> Double {
            let position = q * Double(stepSeconds.count - 1)
            let lower = Int(position.rounded(.down)), upper = Int(position.rounded(.up))
            let fraction = position - Double(lower)
            return stepSeconds[lower] * (1 - fraction) + stepSeconds[upper] * fraction
        }

        public var imagesPerSecond: Double { Double(settings.batch) / medianSeconds }

        /// Floating-point operations of one step, counted as 3 x forward multiply-accumulates
        /// (forward, input gradient, weight gradient) x 2 FLOP each, for the convolutions and
        /// linear layers only; normalisation, activations and the loss are left out.
        public var stepFloatingPointOperations: Double { 6 * Double(forwardMultiplyAccumulates) }

        public var gigaflopsPerSecond: Double { stepFloatingPointOperations / medianSeconds / 1e9 }

        public var profiledStepSeconds: Double { breakdown.reduce(0) { $0 + $1.seconds } }
    }

    public let settings: StepBenchmarkSettings
    /// Steps run with the executor's profile, for the breakdown.
    public let profiledSteps: Int
    /// Seed of the parameters, the images, the labels and the steps' random draws.
    public let seed: UInt64
    private let model: Model
    private let step: TrainingStep
    private let optimizer: Adam
    private let labels: [Int]
    /// For timing the loss on its own: the labels as the losses take them, a fresh metric
    /// loss, and gradient buffers that the step never reads.
    private let lossLabels: [Int32]
    private let metricLoss: (any MetricLoss)?
    private var logitsGradient: [Float]
    private var embeddingGradient: [Float]

    /// Builds the network, its executor and the step, and fills the input with seeded values.
    /// - Throws: `NetworkError` for an unsupported shape, `LossError` for a bad loss setting.
    public init(_ settings: StepBenchmarkSettings, profiledSteps: Int = 3, seed: UInt64 = 0xBE7C) throws {
        precondition(settings.batch >= 2 && settings.steps >= 1 && settings.warmUp >= 0 && profiledSteps >= 0)
        self.settings = settings
        self.profiledSteps = profiledSteps
        self.seed = seed
        model = try Model(
            kind: settings.network, imageSize: settings.imageSize, channels: settings.channels,
            classes: settings.classes, batchCapacity: settings.batch)
        model.executor.initializeParameters(seed: seed)
        step = try TrainingStep(
            model: model, communicator: SingleProcessCommunicator(), loss: settings.loss,
            globalBatch: settings.batch, bucketFloats: model.parameterCount)
        optimizer = Adam(parameterCount: model.parameterCount)
        var generator = SplitMix64(seed: seed)
        let imageFloats = settings.batch * model.graph.inputShape.elementCount
        Initializer.uniform(bound: 1).fill(
            UnsafeMutableBufferPointer(start: model.executor.input, count: imageFloats), using: &generator)
        // Every class at least once, then random: a batch with positives and negatives.
        labels = (0..<settings.batch).map {
            $0 < settings.classes ? $0 : Int(generator.next() % UInt64(settings.classes))
        }
        lossLabels = labels.map { Int32($0) }
        metricLoss = try settings.loss.makeMetricLoss()
        logitsGradient = Array(repeating: 0, count: settings.batch * model.classCount)
        embeddingGradient = Array(repeating: 0, count: settings.batch * model.embeddingWidth)
    }

    /// Warms up, times the unprofiled steps, then runs the profiled ones.
    public func run() throws -> Result {
        BLAS.setThreads(settings.threads)
        for _ in 0..<settings.warmUp { try runStep() }

        let peakBefore = peakResidentBytes()
        var times: [Double] = []
        times.reserveCapacity(settings.steps)
        for _ in 0..<settings.steps {
            let start = monotonicSeconds()
            try runStep()
            times.append(monotonicSeconds() - start)
        }
        let peakAfter = peakResidentBytes()

        return Result(
            settings: settings, profiledSteps: profiledSteps, stepSeconds: times.sorted(),
            forwardMultiplyAccumulates: arithmeticMultiplyAccumulates(),
            peakResidentBytes: peakAfter, peakGrowthDuringStepsBytes: peakAfter - peakBefore,
            breakdown: try profiledBreakdown(), parameterCount: model.parameterCount)
    }

    private func context(step index: Int) -> RunContext {
        RunContext(batch: settings.batch, training: true, threads: settings.threads, seed: seed, step: UInt64(index))
    }

    private func runStep(index: Int = 0) throws {
        _ = try step.run(localCount: settings.batch, labels: labels, globalCount: settings.batch, context: context(step: index))
        optimizer.step(parameters: model.executor.parameters, gradients: model.executor.parameterGradients)
    }

    /// Per-kind forward and backward time from the executor's profile; the loss, the optimizer
    /// and zeroing the gradients timed on their own; and the rest of the step (label and
    /// embedding copies, the one-rank collectives, the executor's loop and the timer calls).
    private func profiledBreakdown() throws -> [Share] {
        guard profiledSteps > 0 else { return [] }
        let executor = model.executor
        let profile = ExecutionProfile(nodeCount: model.graph.nodes.count)
        executor.profile = profile
        defer { executor.profile = nil }
        var zeroing = 0.0, stepTotal = 0.0, optimizing = 0.0, lossTotal = 0.0
        for index in 0..<profiledSteps {
            // Zeroing is idempotent, so this call does the same work as the step's own.
            let zeroStart = monotonicSeconds()
            executor.zeroGradients()
            zeroing += monotonicSeconds() - zeroStart
            let start = monotonicSeconds()
            _ = try step.run(localCount: settings.batch, labels: labels, globalCount: settings.batch, context: context(step: index))
            let optimizerStart = monotonicSeconds()
            optimizer.step(parameters: executor.parameters, gradients: executor.parameterGradients)
            optimizing += monotonicSeconds() - optimizerStart
            stepTotal += optimizerStart - start
            lossTotal += try timeLoss()
        }

        var forward: [OperationKind: Double] = [:], backward: [OperationKind: Double] = [:]
        for (index, node) in model.graph.nodes.enumerated() {
            guard let kind = node.operation?.kind else { continue }
            forward[kind, default: 0] += profile.forwardSeconds[index]
            backward[kind, default: 0] += profile.backwardSeconds[index]
        }
        let network = forward.values.reduce(0, +) + backward.values.reduce(0, +)
        let steps = Double(profiledSteps)
        var shares = OperationKind.allCases.compactMap { kind -> Share? in
            guard let seconds = forward[kind] else { return nil }
            return Share(part: kind.rawValue, forwardSeconds: seconds / steps, backwardSeconds: backward[kind, default: 0] / steps)
        }
        let rest = max(0, stepTotal - network - zeroing - lossTotal)
        for (part, seconds) in [("loss", lossTotal), ("optimizer", optimizing), ("zero gradients", zeroing), ("rest of the step", rest)] {
            shares.append(Share(part: part, forwardSeconds: seconds / steps, backwardSeconds: 0))
        }
        return shares.sorted { $0.seconds > $1.seconds }
    }

    /// Seconds of cross-entropy and the metric loss, with their gradients, on the logits and
    /// embeddings the last forward left: the same work the step does between forward and backward.
    private func timeLoss() throws -> Double {
        let executor = model.executor
        let start = monotonicSeconds()
        try lossLabels.withUnsafeBufferPointer { labels in
            try logitsGradient.withUnsafeMutableBufferPointer { gradient in
                _ = try SoftmaxCrossEntropy.evaluate(
                    logits: executor.logits, labels: labels.baseAddress!, count: settings.batch,
                    classes: model.classCount, normalizer: Float(settings.batch), gradient: gradient.baseAddress!)
            }
            if let metricLoss {
                try embeddingGradient.withUnsafeMutableBufferPointer { gradient in
                    _ = try metricLoss.evaluate(
                        embeddings: executor.embeddings, labels: labels.baseAddress!, count: settings.batch,
                        width: model.embeddingWidth, gradient: gradient.baseAddress!)
                }
            }
        }
        return monotonicSeconds() - start
    }

    private func arithmeticMultiplyAccumulates() -> Int {
        let counted: Set<OperationKind> = [.convolution1x1, .convolutionKxK, .depthwiseConvolution, .linear]
        return model.graph.nodes.reduce(0) { total, node in
            guard let operation = node.operation, counted.contains(operation.kind) else { return total }
            return total + operation.multiplyAccumulates(batch: settings.batch)
        }
    }
}

/// The process's peak resident set so far: Linux's VmHWM, in KiB in /proc/self/status.
/// getrusage's ru_maxrss is the fallback; it is no lower than the parent's resident set when
/// the process was started, so a benchmark started from a large process (a Python that has
/// imported torch) would report that instead of its own peak.
private func peakResidentBytes() -> Int {
    if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
       let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
       let kibibytes = Int(line.split(separator: " ").dropFirst().first ?? "") {
        return kibibytes * 1024
    }
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss * 1024
}

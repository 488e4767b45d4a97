import Data
import Distributed
import Engine
import Evaluation
import Foundation
import Inference
import Losses
import Networks
import Reports

/// A training run from start (or `--resume`) to the final metrics: the paper's schedule
/// (DESIGN §1) over the distributed shape of DESIGN §2. Every rank runs `run()`; rank 0 alone
/// evaluates, decides on the learning rate and stopping, writes the run directory and shows
/// progress, and broadcasts its decisions so all ranks stop together.
public final class Trainer {
    public let configuration: TrainingConfiguration
    let settings: ResolvedSettings
    let communicator: Communicator
    let resume: Bool
    let overwrite: Bool
    private let display: ProgressDisplay?

    public init(configuration: TrainingConfiguration, communicator: Communicator, resume: Bool = false, overwrite: Bool = false) throws {
        self.configuration = configuration
        self.communicator = communicator
        self.resume = resume
        self.overwrite = overwrite
        settings = try ResolvedSettings(configuration, worldSize: communicator.worldSize)
        display = communicator.isRoot ? ProgressDisplay(format: configuration.logFormat) : nil
    }

    /// The run directory rank 0 writes to.
    public var runDirectoryPath: String { settings.runDirectory }

    /// Trains to the end (early stopping or --epochs) or until interrupted (SIGINT/SIGTERM on
    /// rank 0, after which every rank stops with a checkpoint of where it was).
    @discardableResult
    public func run() throws -> TrainingOutcome {
        BLAS.setThreads(settings.threads)
        Interruption.install()
        let runDirectory = try agreeOnRoot { () -> RunDirectory? in
            try prepareRunDirectory()
        }
        let clock = Date()
        if let advice = OpenBLASKernelSelection.advice { display?.warning(advice) }
        let placement = try communicator.placementSummary()
        display?.message("bstrain: \(placement); \(settings.threads) thread(s) per rank; OpenBLAS \(BLAS.coreName) kernels")

        // Data: every rank holds the whole index and decoded cache, and computes the same plan.
        let dataset = try ImageFolderDataset(
            train: URL(fileURLWithPath: configuration.train), validation: configuration.val.map { URL(fileURLWithPath: $0) },
            validationFraction: configuration.valFraction, test: configuration.test.map { URL(fileURLWithPath: $0) },
            seed: configuration.seed)
        guard let validationFolder = dataset.validation else { throw TrainingError.noValidationSet }
        let decodeStart = Date()
        let train = try decode(dataset.train, split: "train")
        let validation = try decode(validationFolder, split: "validation")
        let test = try dataset.test.map { try decode($0, split: "test") }
        display?.message(String(
            format: "data: %d classes (%@); train %d, validation %d%@ images; decoded in %.1f s",
            dataset.classNames.count, dataset.classNames.joined(separator: ", "), train.count, validation.count,
            test.map { ", test \($0.count)" } ?? "", Date().timeIntervalSince(decodeStart)))
        try writeSkipped([train, validation] + (test.map { [$0] } ?? []), to: runDirectory)

        let assignment = try clusters(for: train, runDirectory: runDirectory)
        let sampler = try ClusterBatchSampler(
            assignment: assignment, labels: train.labels, batchSize: configuration.batch, mode: configuration.batchMode,
            seed: configuration.seed, iterationsPerEpoch: configuration.iterationsPerEpoch)

        // Model, replicated from rank 0.
        let localCapacity = communicator.sliceRange(total: configuration.batch, rank: 0).count
        let model = try Model(
            kind: configuration.model, imageSize: configuration.imageSize, channels: configuration.channels,
            classes: dataset.classNames.count, batchCapacity: max(localCapacity, 2))
        model.executor.initializeParameters(seed: configuration.seed)
        if configuration.syncBn { model.synchronizeBatchNorm(over: communicator) }
        let optimizer = settings.makeOptimizer(parameterCount: model.parameterCount)
        display?.message("model: \(configuration.model.rawValue), \(model.parameterCount) parameters, embedding \(model.embeddingWidth); loss \(settings.loss.kind.rawValue); batch \(configuration.batch) over \(communicator.worldSize) rank(s)")

        var state = TrainingState(
            completedEpochs: 0, globalStep: 0, learningRate: configuration.lr,
            scheduler: ReduceLROnPlateau(factor: configuration.lrFactor, patience: configuration.lrPatience, minimumLearningRate: configuration.minLr),
            earlyStopping: EarlyStopping(patience: configuration.earlyStoppingPatience, minimumDelta: configuration.earlyStoppingMinDelta),
            optimizer: configuration.optimizer.rawValue, optimizerStepCount: 0, history: [], model: configuration.model.rawValue,
            loss: settings.loss.kind.rawValue, seed: configuration.seed, classNames: dataset.classNames,
            imageSize: configuration.imageSize, channels: configuration.channels)
        if resume {
            state = try resumeState(into: model, optimizer: optimizer, fresh: state, runDirectory: runDirectory)
        }
        try model.broadcastParameters(communicator)

        let step = try TrainingStep(
            model: model, communicator: communicator, loss: settings.loss, globalBatch: configuration.batch,
            bucketFloats: Int(configuration.bucketMB * 1_000_000 / 4))
        let evaluator = try Evaluator(model: model, loss: settings.loss, metricChunk: configuration.batch, threads: settings.threads)
        let loader = BatchLoader(
            cache: train, augmentation: configuration.augment ? .paper : .none, seed: configuration.seed,
            maxBatchSize: configuration.batch, rank: communicator.rank, worldSize: communicator.worldSize)
        var best = runDirectory.flatMap { try? bestWeights(model: model, runDirectory: $0) }
        let metricName = settings.loss.kind.metric.map { $0.rawValue }
        var labels = [Int](repeating: 0, count: localCapacity)

        if state.stoppedEarly {
            display?.message("this run already stopped early after epoch \(state.completedEpochs); reporting its best weights")
        }
        while state.completedEpochs < configuration.epochs && !state.stoppedEarly {
            let epoch = state.completedEpochs
            let epochStart = Date()
            let plan = sampler.plan(epoch: epoch)
            var progress = state.epochProgress ?? EpochProgress()
            state.epochProgress = nil
            loader.start(epoch: epoch, plan: plan, firstIteration: progress.iteration)
            optimizer.learningRate = Float(state.learningRate)
            display?.startEpoch()
            for iteration in progress.iteration..<plan.count {
                let batch = plan[iteration]
                guard let localCount = loader.next(into: model.executor.input, labels: &labels) else { break }
                let context = RunContext(
                    batch: localCount, training: true, threads: settings.threads, seed: configuration.seed,
                    step: UInt64(state.globalStep),
                    firstGlobalSample: iteration * configuration.batch + communicator.sliceRange(total: batch.count).lowerBound)
                let losses = try step.run(localCount: localCount, labels: labels, globalCount: batch.count, context: context)
                if try stepIsFinite(losses, epoch: epoch, iteration: iteration, model: model, runDirectory: runDirectory) {
                    optimizer.step(parameters: model.executor.parameters, gradients: model.executor.parameterGradients)
                    progress.add(losses)
                }
                state.globalStep += 1
                progress.iteration = iteration + 1
                progress.images += batch.count
                display?.iteration(
                    epoch: epoch, epochs: configuration.epochs, iteration: iteration, iterations: plan.count,
                    images: progress.images, losses: losses, timings: step.timings, metricName: metricName,
                    learningRate: state.learningRate)
                if try communicator.broadcast(Interruption.requested), progress.iteration < plan.count {
                    progress.seconds += Date().timeIntervalSince(epochStart)
                    state.epochProgress = progress
                    try saveInterrupted(state: state, model: model, optimizer: optimizer, runDirectory: runDirectory)
                    return .interrupted
                }
            }
            if !configuration.syncBn { try model.averageState(communicator) }

            // Rank 0 evaluates and decides; the decision reaches every rank.
            var decision = EpochDecision(learningRate: state.learningRate, stop: false)
            if let runDirectory, let display {
                let iterations = Double(max(1, progress.steps))
                let validationResult = try evaluator.evaluate(validation)
                let metrics = try ClassificationMetrics(probabilities: validationResult.probabilities, labels: validationResult.labels, classNames: dataset.classNames)
                let trainLoss = progress.total / iterations
                let nextRate = state.scheduler.update(loss: trainLoss, learningRate: state.learningRate)
                let stopping = state.earlyStopping.update(loss: validationResult.total, epoch: epoch)
                var row = HistoryRow(
                    epoch: epoch + 1, learningRate: state.learningRate, trainLoss: trainLoss,
                    trainCrossEntropy: progress.crossEntropy / iterations, trainMetric: progress.metric / iterations,
                    validationLoss: validationResult.total, validationCrossEntropy: validationResult.crossEntropy,
                    validationMetric: validationResult.metric, validationAccuracy: metrics.accuracy,
                    validationAUC: metrics.auc, validationMeanSensitivity: metrics.meanSensitivity,
                    validationMeanSpecificity: metrics.meanSpecificity, seconds: 0)
                row.seconds = progress.seconds + Date().timeIntervalSince(epochStart)
                state.history.append(row)
                state.completedEpochs = epoch + 1
                state.learningRate = nextRate
                state.optimizerStepCount = optimizer.stepCount
                var notes: [String] = []
                if stopping == .improved {
                    best = model.snapshot()
                    try model.executor.saveSafetensors(to: URL(fileURLWithPath: runDirectory.bestWeightsPath), metadata: weightsMetadata(state))
                    notes.append("best")
                }
                if nextRate != row.learningRate { notes.append(String(format: "lr → %.2g", nextRate)) }
                if stopping == .stop { notes.append("early stop (best epoch \(state.earlyStopping.bestEpoch + 1))") }
                state.stoppedEarly = stopping == .stop
                try saveEpoch(state: state, model: model, optimizer: optimizer, runDirectory: runDirectory)
                display.endEpoch(row, epochs: configuration.epochs, metricName: metricName, note: notes.joined(separator: "; "))
                decision = EpochDecision(learningRate: nextRate, stop: stopping == .stop)
            } else {
                state.completedEpochs = epoch + 1
            }
            decision = try communicator.broadcast(decision)
            state.learningRate = decision.learningRate
            if decision.stop { break }
        }

        if let runDirectory, let display {
            if let best { model.restore(best) }
            let report = RunReport(runDirectory: runDirectory, classNames: dataset.classNames, display: display)
            try report.write(
                history: state.history, validation: try evaluator.evaluate(validation),
                test: try test.map { try evaluator.evaluate($0) }, seconds: Date().timeIntervalSince(clock))
        }
        try communicator.barrier()
        return .completed
    }

    // MARK: - Steps of a run

    /// Runs `body` on rank 0 and tells every rank whether it succeeded, so a failure on rank 0
    /// (an unwritable run directory, a damaged checkpoint) ends every rank cleanly.
    private func agreeOnRoot<T>(_ body: () throws -> T?) throws -> T? {
        var result: T?
        var failure: Error?
        if communicator.isRoot {
            do { result = try body() } catch { failure = error }
        }
        let ok = try communicator.broadcast(failure == nil)
        if let failure { throw failure }
        guard ok else { throw RankFailure.rootFailed }
        return result
    }

    private func prepareRunDirectory() throws -> RunDirectory {
        let directory = try RunDirectory(path: settings.runDirectory, minimumFreeBytes: 50_000_000)
        if directory.hasCheckpoint && !resume && !overwrite {
            throw RunDirectoryError.existingRun(path: settings.runDirectory)
        }
        if !directory.hasCheckpoint && resume {
            throw TrainingError.missingFile(path: directory.lastCheckpointPath, what: "checkpoint to resume from")
        }
        display?.attachLog(path: directory.file("log.txt"))
        try directory.write(try configuration.yaml(), to: "config.yaml")
        return directory
    }

    private func decode(_ folder: ImageFolder, split: String) throws -> ImageCache {
        try ImageCache(
            decoding: folder, imageSize: configuration.imageSize, channels: configuration.channels,
            threads: settings.threads, skipBad: configuration.skipBad)
    }

    private func writeSkipped(_ caches: [ImageCache], to runDirectory: RunDirectory?) throws {
        let skipped = caches.flatMap(\.skipped)
        guard let runDirectory, !skipped.isEmpty else { return }
        display?.warning("skipped \(skipped.count) bad image(s) (--skip-bad); the list is in \(runDirectory.file("skipped.csv"))")
        let rows = skipped.map { "\"\($0.path)\",\"\("\($0.error)".replacingOccurrences(of: "\"", with: "'"))\"" }
        try runDirectory.write((["path,reason"] + rows).joined(separator: "\n") + "\n", to: "skipped.csv")
    }

    /// K-means groups of the training set: rank 0 reuses clusters.csv when it matches, otherwise
    /// every rank assigns its share of the images and the centroid sums are all-reduced.
    private func clusters(for train: ImageCache, runDirectory: RunDirectory?) throws -> ClusterAssignment {
        let groupsPerClass = try ClusterAssignment.groupsPerClass(configuration.groupsPerClass, classCount: train.folder.classNames.count)
        let path = runDirectory.map { URL(fileURLWithPath: $0.file("clusters.csv")) }
        var reused: ClusterAssignment?
        if let path, FileManager.default.fileExists(atPath: path.path) {
            reused = try? ClusterAssignment.read(from: path, matching: train.folder, groupsPerClass: groupsPerClass)
        }
        if try communicator.broadcast(reused != nil) {
            var groups = (reused?.groups ?? Array(repeating: 0, count: train.count)).map { Int32($0) }
            try groups.withUnsafeMutableBytes { try communicator.broadcast($0, root: 0) }
            display?.message("clusters: reused \(path?.path ?? "clusters.csv")")
            return ClusterAssignment(groupsPerClass: groupsPerClass, groups: groups.map { Int($0) })
        }
        let start = Date()
        let shared = SendableCommunicator(communicator)
        let reduction = KMeansReduction(
            share: { count in evenSlice(total: count, parts: shared.communicator.worldSize, part: shared.communicator.rank) },
            sum: { values in
                do { try values.withUnsafeMutableBufferPointer { try shared.communicator.allReduceSum($0) } }
                catch { shared.communicator.abort(code: 1) }
            })
        let assignment = try ClusterAssignment.compute(
            for: train, groupsPerClass: groupsPerClass, seed: configuration.seed, threads: settings.threads, reduction: reduction)
        if let path { try assignment.write(to: path, folder: train.folder) }
        let sizes = assignment.groupSizes(labels: train.labels)
        display?.message(String(format: "clusters: K-means groups per class %@ in %.1f s", "\(sizes)", Date().timeIntervalSince(start)))
        return assignment
    }

    private func resumeState(into model: Model, optimizer: any Optimizer, fresh: TrainingState, runDirectory: RunDirectory?) throws -> TrainingState {
        var state = fresh
        var stateJSON = [UInt8]()
        try agreeOnRoot { () -> Void? in
            guard let runDirectory else { return nil }
            let loaded = try Checkpoint.read(from: runDirectory.lastCheckpointPath, into: model, optimizer: optimizer)
            guard loaded.classNames == fresh.classNames, loaded.imageSize == fresh.imageSize, loaded.channels == fresh.channels else {
                throw TrainingError.checkpointMismatch(
                    path: runDirectory.lastCheckpointPath,
                    reason: "it was trained on classes \(loaded.classNames) at \(loaded.imageSize) px x \(loaded.channels) channel(s)")
            }
            stateJSON = Array(try JSONEncoder.checkpoint.encode(loaded))
            display?.message("resumed from \(runDirectory.lastCheckpointPath) after epoch \(loaded.completedEpochs)")
            return ()
        }
        // Other ranks receive the state and the optimizer's moments from rank 0.
        let length = try communicator.broadcast(Int64(stateJSON.count))
        if !communicator.isRoot { stateJSON = Array(repeating: 0, count: Int(length)) }
        try stateJSON.withUnsafeMutableBytes { try communicator.broadcast($0, root: 0) }
        state = try JSONDecoder.checkpoint.decode(TrainingState.self, from: Data(stateJSON))
        var tensors = optimizer.state.tensors
        for name in tensors.keys.sorted() {
            try tensors[name]!.withUnsafeMutableBytes { try communicator.broadcast($0, root: 0) }
        }
        if !communicator.isRoot {
            try optimizer.restore(OptimizerState(stepCount: state.optimizerStepCount, tensors: tensors))
        }
        return state
    }

    private func bestWeights(model: Model, runDirectory: RunDirectory) throws -> (parameters: [Float], state: [Float])? {
        guard resume else { return nil }
        let current = model.snapshot()
        defer { model.restore(current) }
        try model.loadWeights(from: runDirectory.bestWeightsPath)
        return model.snapshot()
    }

    /// Whether the step's loss and gradients are finite. A non-finite step stops the run before
    /// the optimizer can write NaN into the weights, or, with --skip-nonfinite, is skipped.
    /// Every rank sees the same global loss and summed gradients, so all decide alike.
    private func stepIsFinite(_ losses: StepLosses, epoch: Int, iteration: Int, model: Model, runDirectory: RunDirectory?) throws -> Bool {
        var gradientSum: Float = 0
        for value in model.executor.parameterGradients { gradientSum += value }
        if losses.total.isFinite && gradientSum.isFinite { return true }
        let detail = losses.total.isFinite ? "a parameter gradient is NaN or infinite" : "the loss is \(losses.total)"
        if configuration.skipNonfinite {
            display?.warning("epoch \(epoch + 1), iteration \(iteration + 1): \(detail); step skipped (--skip-nonfinite)")
            return false
        }
        let checkpoint = runDirectory.flatMap { $0.hasCheckpoint ? $0.lastCheckpointPath : nil }
        throw TrainingError.nonFiniteLoss(epoch: epoch, iteration: iteration, detail: detail, lastCheckpoint: checkpoint)
    }

    /// Every rank averages BN statistics (a collective); rank 0 writes a checkpoint of the
    /// position inside the epoch, which `--resume` continues from.
    private func saveInterrupted(state: TrainingState, model: Model, optimizer: any Optimizer, runDirectory: RunDirectory?) throws {
        if !configuration.syncBn { try model.averageState(communicator) }
        guard let runDirectory, let display else { return }
        var state = state
        state.optimizerStepCount = optimizer.stepCount
        try Checkpoint.write(to: runDirectory.lastCheckpointPath, model: model, optimizer: optimizer, state: state)
        display.message("interrupted in epoch \(state.completedEpochs + 1) at iteration \(state.epochProgress?.iteration ?? 0); checkpoint written to \(runDirectory.lastCheckpointPath); continue with --resume \(runDirectory.path)")
    }

    private func weightsMetadata(_ state: TrainingState) -> [String: String] {
        WeightsMetadata(
            network: configuration.model, loss: state.loss, classNames: state.classNames, imageSize: state.imageSize,
            channels: state.channels, epoch: state.completedEpochs
        ).safetensorsMetadata
    }

    private func saveEpoch(state: TrainingState, model: Model, optimizer: any Optimizer, runDirectory: RunDirectory) throws {
        try Checkpoint.write(to: runDirectory.lastCheckpointPath, model: model, optimizer: optimizer, state: state)
        try model.executor.saveSafetensors(to: URL(fileURLWithPath: runDirectory.lastWeightsPath), metadata: weightsMetadata(state))
        try runDirectory.write(HistoryRow.csv(state.history), to: "history.csv")
        try runDirectory.write(LossCurvePlot.svg(state.history, showsParts: settings.loss.kind.metric != nil), to: "plots/loss.svg")
    }
}

/// K-means's reduction hook takes `@Sendable` closures; the clustering calls them on the
/// thread that called it, which is the only thread that talks to MPI.
private final class SendableCommunicator: @unchecked Sendable {
    let communicator: Communicator
    init(_ communicator: Communicator) { self.communicator = communicator }
}

/// How a run ended.
public enum TrainingOutcome: Sendable {
    case completed
    case interrupted
}

/// What rank 0 decides after an epoch.
struct EpochDecision: BitwiseCopyable {
    var learningRate: Double
    var stop: Bool
}

/// A non-root rank learns that rank 0 failed; rank 0 prints the reason.
public enum RankFailure: Error, CustomStringConvertible {
    case rootFailed
    public var description: String { "rank 0 stopped the run (its message says why)" }
}

extension Model {
    /// Loads weights saved by a training run (weights/*.safetensors).
    func loadWeights(from path: String) throws {
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

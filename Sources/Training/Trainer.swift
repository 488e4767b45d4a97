import Data
import Distributed
import Engine
import Evaluation
import Foundation
import Inference
import Losses
import Networks
import Reports
import Support

/// A training run from start (or `--resume`) to the final metrics: the paper's schedule
/// (docs/method.md) over the distributed shape of docs/architecture.md. Every rank runs
/// `run()`; rank 0 alone evaluates, decides on the learning rate and stopping, writes the run
/// directory and shows progress, and broadcasts its decisions so all ranks stop together.
public final class Trainer {
    public let configuration: TrainingConfiguration
    let settings: ResolvedSettings
    let communicator: Communicator
    let resume: Bool
    let overwrite: Bool
    private let display: ProgressDisplay?

    /// The splits this run trains on: `configuration`'s folders, or those given to `init`.
    private let splits: ImageFolderDataset?

    /// - Parameter dataset: splits to use instead of the folders `configuration` names
    ///   (cross-validation's folds).
    public init(
        configuration: TrainingConfiguration, communicator: Communicator, resume: Bool = false, overwrite: Bool = false,
        dataset: ImageFolderDataset? = nil
    ) throws {
        self.configuration = configuration
        self.communicator = communicator
        splits = dataset
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
        var training = try prepare()
        while training.state.completedEpochs < configuration.epochs && !training.state.stoppedEarly {
            guard case .completed(let epoch) = try runEpoch(&training) else { return .interrupted }
            if try endEpoch(epoch, of: &training).stop { break }
        }
        try finish(training)
        return .completed
    }

    // MARK: - State shared by the steps

    /// What `prepare` sets up for the epochs, and where the run stands between them.
    private struct TrainingRun {
        /// Rank 0's run directory; nil on the other ranks.
        let directory: RunDirectory?
        let data: TrainingData
        let model: Model
        let optimizer: any Optimizer
        /// Rank 0's moving average of the weights (--ema), which it validates and saves; nil when off.
        let average: ExponentialMovingAverage?
        let step: TrainingStep
        let evaluator: Evaluator
        let loader: BatchLoader
        /// When this process started the run, for the final report.
        let started: Date
        /// What a checkpoint keeps: the epochs done, the learning rate and its schedule, the history.
        var state: TrainingState
        /// Rank 0's best weights so far, restored for the final report.
        var best: (parameters: [Float], state: [Float])?
        /// Rank 0's evaluation of the --init-from weights on validation and test, for the final
        /// report's before and after; nil without --init-from or when resumed.
        let initial: (validation: Evaluation, test: Evaluation?)?
        /// The labels of this rank's slice of the current batch.
        var labels: [Int]
    }

    /// The images of every split, decoded on every rank, and the plan of the training batches.
    private struct TrainingData {
        let classNames: [String]
        let train: ImageCache
        let validation: ImageCache
        let test: ImageCache?
        let sampler: ClusterBatchSampler
        /// Clusters computed for this run, which `record` writes; nil when clusters.csv held them.
        let freshClusters: ClusterAssignment?
    }

    /// An epoch whose iterations have all run, for `endEpoch`.
    private struct CompletedEpoch {
        let index: Int
        let progress: EpochProgress
        let started: Date
    }

    private enum EpochOutcome {
        case completed(CompletedEpoch)
        case interrupted
    }

    // MARK: - Steps of a run

    /// The run directory, the data and its clusters, the model replicated from rank 0, the
    /// optimizer, and the state: fresh, or the checkpoint's with --resume.
    private func prepare() throws -> TrainingRun {
        BLAS.setThreads(settings.threads)
        Interruption.install()
        let directory = try agreeOnRoot { () -> RunDirectory? in
            try prepareRunDirectory()
        }
        let started = Date()
        if let advice = OpenBLASKernelSelection.advice { display?.warning(advice) }
        let placement = try communicator.placementSummary()
        display?.message("bstrain: \(placement); \(settings.threads) thread(s) per rank; \(OpenBLASKernelSelection.kernelDescription)")
        if let path = configuration.initFrom, !resume, !FileManager.default.fileExists(atPath: path) {
            // Before the images are decoded, which may take minutes.
            throw TrainingError.missingFile(path: path, what: "--init-from weights file")
        }
        let data = try prepareData(runDirectory: directory)
        let model = try prepareModel(classes: data.classNames.count)
        let optimizer = settings.makeOptimizer(parameterCount: model.parameterCount)
        let average = directory == nil ? nil : settings.averageDecay.map { ExponentialMovingAverage(decay: $0, startingFrom: model) }
        if configuration.lrScaling != .none {
            display?.message(String(
                format: "learning rate: %g · %@(%d/%d) = %g (--lr-scaling %@)", configuration.lr,
                configuration.lrScaling == .sqrt ? "√" : "", configuration.batch, LearningRateScaling.referenceBatch,
                settings.scaledLearningRate, configuration.lrScaling.rawValue))
        }
        display?.message("model: \(configuration.model.rawValue), \(model.parameterCount) parameters, embedding \(model.embeddingWidth); loss \(settings.loss.kind.rawValue); batch \(configuration.batch) over \(communicator.worldSize) rank(s)")
        var state = freshState(classNames: data.classNames)
        if resume {
            state = try resumeState(into: model, optimizer: optimizer, average: average, fresh: state, runDirectory: directory)
            if let progress = state.epochProgress, progress.iteration > data.sampler.iterationsPerEpoch, let directory {
                throw TrainingError.checkpointMismatch(
                    path: directory.lastCheckpointPath,
                    reason: "it stopped at iteration \(progress.iteration) of an epoch, but this run's epochs have \(data.sampler.iterationsPerEpoch) iterations (the training images changed)")
            }
        }
        // Every check has passed: only now does the run directory receive anything.
        try agreeOnRoot { () -> Void? in try directory.map { try record(data, in: $0) } }
        try model.broadcastParameters(communicator)

        let step = try TrainingStep(
            model: model, communicator: communicator, loss: settings.loss, globalBatch: configuration.batch,
            bucketFloats: Int(configuration.bucketMB * 1_000_000 / 4))
        step.logitOffsets = logitOffsets(labels: data.train.labels, classes: data.classNames.count)
        if configuration.freezeBackbone >= configuration.epochs, settings.loss.kind.metric != nil {
            display?.warning("with the backbone frozen for the whole run (--freeze-backbone) the metric loss cannot change the embedding; --loss ce does the same work faster")
        }
        let evaluator = try Evaluator(model: model, loss: settings.loss, metricChunk: configuration.batch, threads: settings.threads)
        let loader = BatchLoader(
            cache: data.train, augmentation: configuration.augment, seed: configuration.seed,
            maxBatchSize: configuration.batch, rank: communicator.rank, worldSize: communicator.worldSize)
        let best = directory.flatMap { try? bestWeights(model: model, runDirectory: $0) }
        var initial: (validation: Evaluation, test: Evaluation?)?
        if directory != nil, configuration.initFrom != nil, !resume {
            let evaluator = try finalEvaluator(model: model, evaluator: evaluator)
            initial = (try evaluator.evaluate(data.validation), try data.test.map { try evaluator.evaluate($0) })
        }
        if state.stoppedEarly {
            display?.message("this run already stopped early after epoch \(state.completedEpochs); reporting its best weights")
        }
        return TrainingRun(
            directory: directory, data: data, model: model, optimizer: optimizer, average: average, step: step, evaluator: evaluator,
            loader: loader, started: started, state: state, best: best, initial: initial, labels: [Int](repeating: 0, count: localCapacity))
    }

    /// One epoch's iterations on every rank: this rank's slice of each planned batch through a
    /// training step and the optimizer. Continues an epoch an interrupted run left; when
    /// interrupted, writes a checkpoint of where the epoch got to.
    private func runEpoch(_ training: inout TrainingRun) throws -> EpochOutcome {
        let epoch = training.state.completedEpochs
        let started = Date()
        let plan = training.data.sampler.plan(epoch: epoch)
        var progress = training.state.epochProgress ?? EpochProgress()
        training.state.epochProgress = nil
        training.loader.start(epoch: epoch, plan: plan, firstIteration: progress.iteration)
        training.optimizer.learningRate = Float(training.state.learningRate)
        let executor = training.model.executor
        executor.freezesBackbone = epoch < configuration.freezeBackbone
        let learning = executor.freezesBackbone ? executor.graph.headParameters : 0..<executor.parameters.count
        if epoch == 0 && executor.freezesBackbone || epoch > 0 && epoch == configuration.freezeBackbone {
            display?.message(executor.freezesBackbone
                ? "backbone frozen: only the classifier learns\(configuration.freezeBackbone < configuration.epochs ? " for \(configuration.freezeBackbone) epoch(s)" : "")"
                : "backbone unfrozen: the whole network learns from epoch \(epoch + 1)")
        }
        display?.startEpoch()
        for iteration in progress.iteration..<plan.count {
            let batch = plan[iteration]
            guard let localCount = training.loader.next(into: training.model.executor.input, labels: &training.labels) else { break }
            var context = RunContext(
                batch: localCount, training: true, threads: settings.threads, seed: configuration.seed,
                step: UInt64(training.state.globalStep),
                firstGlobalSample: iteration * configuration.batch + communicator.sliceRange(total: batch.count).lowerBound)
            context.averagesEarlyStatistics = configuration.bnWarmup
            let losses = try training.step.run(localCount: localCount, labels: training.labels, globalCount: batch.count, context: context)
            if try stepIsFinite(losses, epoch: epoch, iteration: iteration, model: training.model, runDirectory: training.directory) {
                training.optimizer.step(parameters: executor.parameters, gradients: executor.parameterGradients, updating: learning)
                training.average?.update(from: training.model, step: training.optimizer.stepCount, updating: learning)
                progress.add(losses)
            }
            training.state.globalStep += 1
            progress.iteration = iteration + 1
            progress.images += batch.count
            display?.iteration(
                epoch: epoch, epochs: configuration.epochs, iteration: iteration, iterations: plan.count,
                images: progress.images, losses: losses, timings: training.step.timings, metricName: metricName,
                learningRate: training.state.learningRate)
            if try communicator.broadcast(Interruption.requested), progress.iteration < plan.count {
                progress.seconds += Date().timeIntervalSince(started)
                training.state.epochProgress = progress
                try saveInterrupted(training)
                return .interrupted
            }
        }
        if !configuration.syncBn { try training.model.averageState(communicator) }
        return .completed(CompletedEpoch(index: epoch, progress: progress, started: started))
    }

    /// Rank 0 evaluates the epoch and decides the learning rate and whether to stop; every rank
    /// then takes that decision.
    private func endEpoch(_ epoch: CompletedEpoch, of training: inout TrainingRun) throws -> EpochDecision {
        var decision = EpochDecision(learningRate: training.state.learningRate, stop: false)
        if let directory = training.directory, let display {
            decision = try evaluateAndRecord(epoch, of: &training, in: directory, display: display)
        } else {
            training.state.completedEpochs = epoch.index + 1
        }
        decision = try communicator.broadcast(decision)
        training.state.learningRate = decision.learningRate
        return decision
    }

    /// Rank 0 restores the best weights and reports on validation and test; every rank waits.
    private func finish(_ training: TrainingRun) throws {
        if let directory = training.directory, let display {
            if let best = training.best { training.model.restore(best) }
            let classCount = training.data.classNames.count
            let evaluator = try finalEvaluator(model: training.model, evaluator: training.evaluator)
            let unscaledValidation = try evaluator.evaluate(training.data.validation)
            let scaling = temperatureScaling(fittedOn: unscaledValidation)
            let validation = scaling?.apply(to: unscaledValidation, classCount: classCount) ?? unscaledValidation
            let rule = decisionRule(choosingOn: validation, classNames: training.data.classNames)
            if scaling != nil || rule != .argmax || configuration.tta {
                try training.model.executor.saveSafetensors(
                    to: URL(fileURLWithPath: directory.bestWeightsPath),
                    metadata: weightsMetadata(training.state, rule: rule, temperatureScaling: scaling))
                display.message("stored in \(directory.bestWeightsPath) for predict and eval")
            }
            let test = try training.data.test.map { split in
                let unscaled = try evaluator.evaluate(split)
                return scaling?.apply(to: unscaled, classCount: classCount) ?? unscaled
            }
            if let initial = training.initial {
                try writeBeforeAfter(
                    initial: initial, validation: validation, test: test, rule: rule, classNames: training.data.classNames,
                    directory: directory, display: display)
            }
            let report = RunReport(runDirectory: directory, classNames: training.data.classNames, display: display)
            try report.write(
                history: training.state.history, validation: validation, rule: rule,
                test: test, testImages: training.data.test?.folder,
                seconds: Date().timeIntervalSince(training.started))
            // The run's results are written by now; a page that cannot be built costs only itself.
            do {
                display.message("report: \(try RunPage(run: directory.path).write(threads: settings.threads))")
            } catch {
                display.warning("report.html not written: \(error); 'bstrain report \(directory.path)' retries")
            }
        }
        try communicator.barrier()
    }

    // MARK: - Parts of the steps

    /// The metric loss's name in progress lines, if there is one.
    private var metricName: String? { settings.loss.kind.metric.map { $0.rawValue } }

    /// The largest slice of a global batch a rank gets (rank 0's).
    private var localCapacity: Int { communicator.sliceRange(total: configuration.batch, rank: 0).count }

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

    /// Rank 0's run directory, created or reopened: refused when it holds a run that is neither
    /// resumed nor overwritten, or lacks the checkpoint a resume needs. Writes nothing in it
    /// but its lock: `record` writes once every check has passed.
    private func prepareRunDirectory() throws -> RunDirectory {
        let directory = try RunDirectory(path: settings.runDirectory, minimumFreeBytes: 50_000_000)
        if directory.hasCheckpoint && !resume && !overwrite {
            throw RunDirectoryError.existingRun(path: settings.runDirectory)
        }
        if !directory.hasCheckpoint && resume {
            throw TrainingError.missingFile(path: directory.lastCheckpointPath, what: "checkpoint to resume from")
        }
        return directory
    }

    /// The run's own files that describe its set-up: the log (with what was shown so far),
    /// config.yaml, the skipped images and fresh clusters.
    private func record(_ data: TrainingData, in directory: RunDirectory) throws {
        display?.attachLog(path: directory.file("log.txt"))
        try directory.write(try configuration.yaml(), to: "config.yaml")
        let skipped = ([data.train, data.validation] + (data.test.map { [$0] } ?? [])).flatMap(\.skipped)
        if !skipped.isEmpty {
            display?.warning("skipped \(skipped.count) bad image(s) (--skip-bad); the list is in \(directory.file("skipped.csv"))")
            try directory.write(SkippedImage.csv(skipped), to: "skipped.csv")
        }
        try data.freshClusters?.write(to: URL(fileURLWithPath: directory.file("clusters.csv")), folder: data.train.folder)
    }

    /// Every rank holds the whole index and decoded cache, and computes the same batch plan.
    private func prepareData(runDirectory: RunDirectory?) throws -> TrainingData {
        let dataset = try splits ?? configuration.dataset()
        guard let validationFolder = dataset.validation else { throw TrainingError.noValidationSet }
        for warning in dataset.patients?.warnings ?? [] { display?.warning(warning) }
        try checkMemory(for: dataset)
        let decodeStart = Date()
        let train = try decode(dataset.train, split: "train")
        let validation = try decode(validationFolder, split: "validation")
        let test = try dataset.test.map { try decode($0, split: "test") }
        display?.message(String(
            format: "data: %d classes (%@); train %d, validation %d%@ images; decoded in %.1f s",
            dataset.classNames.count, dataset.classNames.joined(separator: ", "), train.count, validation.count,
            test.map { ", test \($0.count)" } ?? "", Date().timeIntervalSince(decodeStart)))
        if let patients = dataset.patients {
            display?.message(patients.namedNoTrainingPatient
                ? "patients: no training file name matched --group-pattern \(configuration.groupPattern ?? ""): every image is its own patient"
                : "patients: train \(patients.trainPatientsPerClass.map(String.init).joined(separator: "/")), "
                    + "validation \(patients.validationPatientsPerClass.map(String.init).joined(separator: "/")) per class")
        }
        let (assignment, reused) = try clusters(for: train, runDirectory: runDirectory)
        let sampler = try ClusterBatchSampler(
            assignment: assignment, labels: train.labels, batchSize: configuration.batch, mode: configuration.batchMode,
            seed: configuration.seed, iterationsPerEpoch: configuration.iterationsPerEpoch)
        return TrainingData(
            classNames: dataset.classNames, train: train, validation: validation, test: test, sampler: sampler,
            freshClusters: reused ? nil : assignment)
    }

    /// Refuses, on every rank, a run that would not fit in some rank's node, before decoding.
    private func checkMemory(for dataset: ImageFolderDataset) throws {
        let estimate = try MemoryEstimate(
            configuration: configuration, classes: dataset.classNames.count,
            images: (dataset.train.count, dataset.validation?.count ?? 0, dataset.test?.count ?? 0), worldSize: communicator.worldSize)
        var failure: MemoryBudgetError?
        do { try estimate.check() } catch { failure = error }
        var failures: [Double] = [failure == nil ? 0 : 1]
        try failures.withUnsafeMutableBufferPointer { try communicator.allReduceSum($0) }
        if let failure { throw failure }
        if failures[0] > 0 { throw RankFailure.otherRankLacksMemory }
        display?.message("memory: \(estimate.summary)")
    }

    /// The network, initialised from the seed on every rank (rank 0's parameters are
    /// broadcast once the state is known).
    private func prepareModel(classes: Int) throws -> Model {
        let model = try Model(
            kind: configuration.model, imageSize: configuration.imageSize, channels: configuration.channels,
            classes: classes, batchCapacity: max(localCapacity, 2))
        model.executor.initializeParameters(seed: configuration.seed)
        // A resumed run's checkpoint holds its weights; the file it started from no longer matters.
        if let path = configuration.initFrom, !resume {
            let initial = try InitialWeights(loadingFrom: path, into: model.executor)
            display?.message("initial weights: \(path), \(initial.summary)")
        }
        if configuration.syncBn { model.synchronizeBatchNorm(over: communicator) }
        return model
    }

    /// τ·log(share of each class among the training images) with --logit-adjustment τ; empty when off.
    private func logitOffsets(labels: [Int], classes: Int) -> [Float] {
        guard configuration.logitAdjustment > 0 else { return [] }
        var counts = [Int](repeating: 0, count: classes)
        for label in labels { counts[label] += 1 }
        // Every class has training images (the dataset refuses an empty class folder).
        return counts.map { Float(configuration.logitAdjustment * log(Double($0) / Double(labels.count))) }
    }

    /// The state of a run that has not trained yet.
    private func freshState(classNames: [String]) -> TrainingState {
        TrainingState(
            completedEpochs: 0, globalStep: 0, learningRate: settings.cosineSchedule?.learningRate(epoch: 0) ?? settings.scaledLearningRate,
            scheduler: ReduceLROnPlateau(factor: configuration.lrFactor, patience: configuration.lrPatience, minimumLearningRate: configuration.minLr),
            earlyStopping: EarlyStopping(patience: configuration.earlyStoppingPatience, minimumDelta: configuration.earlyStoppingMinDelta),
            optimizer: configuration.optimizer.rawValue, optimizerStepCount: 0, history: [], model: configuration.model.rawValue,
            loss: settings.loss.kind.rawValue, seed: configuration.seed, classNames: classNames,
            imageSize: configuration.imageSize, channels: configuration.channels)
    }

    private func decode(_ folder: ImageFolder, split: String) throws -> ImageCache {
        try ImageCache(
            decoding: folder, imageSize: configuration.imageSize, channels: configuration.channels,
            threads: settings.threads, skipBad: configuration.skipBad, maximumPixels: configuration.maxImagePixels)
    }

    /// K-means groups of the training set, and whether they were reused: rank 0 reuses
    /// clusters.csv when it matches, otherwise every rank assigns its share of the images and
    /// the centroid sums are all-reduced.
    private func clusters(for train: ImageCache, runDirectory: RunDirectory?) throws -> (ClusterAssignment, reused: Bool) {
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
            return (ClusterAssignment(groupsPerClass: groupsPerClass, groups: groups.map { Int($0) }), true)
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
        let sizes = assignment.groupSizes(labels: train.labels)
        display?.message(String(format: "clusters: K-means groups per class %@ in %.1f s", "\(sizes)", Date().timeIntervalSince(start)))
        return (assignment, false)
    }

    private func resumeState(
        into model: Model, optimizer: any Optimizer, average: ExponentialMovingAverage?, fresh: TrainingState, runDirectory: RunDirectory?
    ) throws -> TrainingState {
        var state = fresh
        var stateJSON = [UInt8]()
        try agreeOnRoot { () -> Void? in
            guard let runDirectory else { return nil }
            let loaded = try Checkpoint.read(from: runDirectory.lastCheckpointPath, into: model, optimizer: optimizer, average: average)
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
    private func saveInterrupted(_ training: TrainingRun) throws {
        if !configuration.syncBn { try training.model.averageState(communicator) }
        guard let runDirectory = training.directory, let display else { return }
        var state = training.state
        state.optimizerStepCount = training.optimizer.stepCount
        try Checkpoint.write(
            to: runDirectory.lastCheckpointPath, model: training.model, optimizer: training.optimizer, average: training.average, state: state)
        display.message("interrupted in epoch \(state.completedEpochs + 1) at iteration \(state.epochProgress?.iteration ?? 0); checkpoint written to \(runDirectory.lastCheckpointPath); continue with --resume \(runDirectory.path)")
    }

    /// Rank 0's end of an epoch: the validation metrics, the schedule's and early stopping's
    /// decisions, the history row, the best weights when they improved, and the checkpoint.
    private func evaluateAndRecord(
        _ epoch: CompletedEpoch, of training: inout TrainingRun, in runDirectory: RunDirectory, display: ProgressDisplay
    ) throws -> EpochDecision {
        let progress = epoch.progress
        let iterations = Double(max(1, progress.steps))
        let (model, average, evaluator) = (training.model, training.average, training.evaluator)
        let validationResult = try average.withEvaluatedParameters(of: model) { try evaluator.evaluate(training.data.validation) }
        let metrics = try ClassificationMetrics(
            probabilities: validationResult.probabilities, labels: validationResult.labels, classNames: training.data.classNames)
        let trainLoss = progress.total / iterations
        let nextRate = settings.cosineSchedule?.learningRate(epoch: epoch.index + 1)
            ?? training.state.scheduler.update(loss: trainLoss, learningRate: training.state.learningRate)
        let watched = configuration.earlyStoppingMetric.value(
            loss: validationResult.total, auc: metrics.auc, balancedAccuracy: metrics.meanSensitivity)
        let stopping = training.state.earlyStopping.update(value: watched, epoch: epoch.index)
        var row = HistoryRow(
            epoch: epoch.index + 1, learningRate: training.state.learningRate, trainLoss: trainLoss,
            trainCrossEntropy: progress.crossEntropy / iterations, trainMetric: progress.metric / iterations,
            validationLoss: validationResult.total, validationCrossEntropy: validationResult.crossEntropy,
            validationMetric: validationResult.metric, validationAccuracy: metrics.accuracy,
            validationAUC: metrics.auc, validationMeanSensitivity: metrics.meanSensitivity,
            validationMeanSpecificity: metrics.meanSpecificity, seconds: 0)
        row.seconds = progress.seconds + Date().timeIntervalSince(epoch.started)
        training.state.history.append(row)
        training.state.completedEpochs = epoch.index + 1
        training.state.learningRate = nextRate
        training.state.optimizerStepCount = training.optimizer.stepCount
        var notes: [String] = []
        if stopping == .improved {
            let metadata = weightsMetadata(training.state)
            training.best = try average.withEvaluatedParameters(of: model) {
                try model.executor.saveSafetensors(to: URL(fileURLWithPath: runDirectory.bestWeightsPath), metadata: metadata)
                return model.snapshot()
            }
            notes.append("best")
        }
        if nextRate != row.learningRate { notes.append(String(format: "lr → %.2g", nextRate)) }
        if stopping == .stop { notes.append("early stop (best epoch \(training.state.earlyStopping.bestEpoch + 1))") }
        training.state.stoppedEarly = stopping == .stop
        try saveEpoch(state: training.state, model: model, optimizer: training.optimizer, average: average, runDirectory: runDirectory)
        display.endEpoch(row, epochs: configuration.epochs, metricName: metricName, note: notes.joined(separator: "; "))
        return EpochDecision(learningRate: nextRate, stop: stopping == .stop)
    }

    /// The metadata of a weights file; the final best.safetensors adds how it is read.
    private func weightsMetadata(
        _ state: TrainingState, rule: DecisionRule? = nil, temperatureScaling: TemperatureScaling? = nil
    ) -> [String: String] {
        WeightsMetadata(
            network: configuration.model, loss: state.loss, classNames: state.classNames, imageSize: state.imageSize,
            channels: state.channels, epoch: state.completedEpochs, decisionRule: rule ?? .argmax,
            testTimeAugmentation: rule != nil && configuration.tta, temperatureScaling: temperatureScaling
        ).safetensorsMetadata
    }

    /// The evaluator of the final report: the epochs' own, or with --tta one that averages the views.
    private func finalEvaluator(model: Model, evaluator: Evaluator) throws -> Evaluator {
        guard configuration.tta else { return evaluator }
        return try Evaluator(
            model: model, loss: settings.loss, metricChunk: configuration.batch, threads: settings.threads,
            views: TestTimeAugmentation.views)
    }

    /// before-after.csv and its lines in the log: the --init-from weights (read by their most
    /// probable class) against the final ones (read by `rule`) on validation and test.
    private func writeBeforeAfter(
        initial: (validation: Evaluation, test: Evaluation?), validation: Evaluation, test: Evaluation?, rule: DecisionRule,
        classNames: [String], directory: RunDirectory, display: ProgressDisplay
    ) throws {
        var pairs = [("validation", initial.validation, validation)]
        if let before = initial.test, let test { pairs.append(("test", before, test)) }
        let tables = try pairs.map { split, before, after in
            BeforeAfterTable(
                split: split,
                before: try ClassificationMetrics(probabilities: before.probabilities, labels: before.labels, classNames: classNames),
                after: try ClassificationMetrics(probabilities: after.probabilities, labels: after.labels, classNames: classNames, rule: rule))
        }
        try directory.write(tables.enumerated().map { $1.csv(header: $0 == 0) }.joined(), to: "before-after.csv")
        display.message("the --init-from weights (before) against this run's best (after):")
        for line in tables.flatMap(\.lines) { display.message("  " + line) }
    }

    /// With `--calibrate`, the temperature fitted on `validation` (the best weights' evaluation),
    /// which the final report, `predict` and `eval` apply; otherwise none.
    private func temperatureScaling(fittedOn validation: Evaluation) -> TemperatureScaling? {
        guard configuration.calibrate else { return nil }
        let classCount = validation.probabilities.count / max(validation.labels.count, 1)
        let scaling = TemperatureScaling.fitted(probabilities: validation.probabilities, labels: validation.labels, classCount: classCount)
        let calibrated = scaling.apply(to: validation, classCount: classCount)
        display?.message(String(
            format: "temperature scaling: T = %.4f fitted on validation; its negative log-likelihood %.4f -> %.4f, ECE %.4f -> %.4f",
            scaling.temperature, validation.crossEntropy, calibrated.crossEntropy,
            Calibration(probabilities: validation.probabilities, labels: validation.labels, classCount: classCount).expectedCalibrationError,
            Calibration(probabilities: calibrated.probabilities, labels: validation.labels, classCount: classCount).expectedCalibrationError))
        return scaling
    }

    /// The rule the final report and the best weights use: with `--decision-threshold youden`
    /// the threshold chosen on `validation` (the best weights' evaluation, averaged over the
    /// views with --tta and calibrated with --calibrate); otherwise the most probable class.
    private func decisionRule(choosingOn validation: Evaluation, classNames: [String]) -> DecisionRule {
        // A threshold reads two classes; with more, youden (the default) is the most probable class.
        guard configuration.decisionThreshold == .youden, classNames.count == 2 else { return .argmax }
        guard let rule = DecisionRule.youden(probabilities: validation.probabilities, labels: validation.labels),
              case .threshold(let threshold) = rule
        else {
            display?.warning("--decision-threshold youden needs both classes in the validation split; the most probable class is used")
            return .argmax
        }
        display?.message(String(
            format: "decision threshold: %@ when p(%@) ≥ %.4f (Youden's J on validation)",
            classNames[1], classNames[1], threshold))
        return rule
    }

    /// The checkpoint holds the live weights and the average; last.safetensors the weights validated.
    private func saveEpoch(
        state: TrainingState, model: Model, optimizer: any Optimizer, average: ExponentialMovingAverage?, runDirectory: RunDirectory
    ) throws {
        try Checkpoint.write(to: runDirectory.lastCheckpointPath, model: model, optimizer: optimizer, average: average, state: state)
        try average.withEvaluatedParameters(of: model) {
            try model.executor.saveSafetensors(to: URL(fileURLWithPath: runDirectory.lastWeightsPath), metadata: weightsMetadata(state))
        }
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
    case otherRankLacksMemory

    public var description: String {
        switch self {
        case .rootFailed: "rank 0 stopped the run (its message says why)"
        case .otherRankLacksMemory: "another rank's node has too little memory for this run (that rank's message gives the figures)"
        }
    }
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

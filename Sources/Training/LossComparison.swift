import Data
import Distributed
import Evaluation
import Foundation
import Inference
import Losses
import Networks
import Reports
import Support

/// A grid of networks x losses trained on the same data (the experiments of the paper's Tables
/// 4 and 6), each cell a full training run in its own run directory
/// `<output>/runs/<network>-<loss>`, summarised in `table.md`, `table.csv` and one overlay ROC
/// plot per network, `roc-<network>.svg`. With several seeds each cell is trained once per seed,
/// in `<output>/runs/<network>-<loss>-seed<seed>`; the table gives mean ± sd over the seeds and
/// `seeds.csv` every run's own figures.
public struct LossComparison {
    /// Every option but the network, the loss, the seed and the run directory, which each run sets.
    public let base: TrainingConfiguration
    public let networks: [NetworkKind]
    public let losses: [LossKind]
    /// How many times each cell is trained, with seeds base.seed, base.seed + 1, ...
    public let seeds: Int
    public let outputPath: String

    /// One training run of the grid: a cell and one of its seeds.
    public struct SeededRun: Equatable, Sendable {
        public let network: NetworkKind
        public let loss: LossKind
        public let seed: UInt64
    }

    /// How runs whose run directory already holds a run are treated.
    public enum Start: Sendable {
        /// Such a run is an error (the run is not overwritten).
        case fresh
        /// Such a run is trained again from the start.
        case overwrite
        /// A run listed in table.csv (seeds.csv over several seeds) is finished and its results
        /// are reused; another with a checkpoint continues from it. Both must have been started
        /// with the same options.
        case resume
    }

    public init(
        base: TrainingConfiguration, networks: [NetworkKind], losses: [LossKind], seeds: Int = 1, outputPath: String
    ) throws(ComparisonError) {
        guard !networks.isEmpty else { throw .emptyGrid(option: "--models") }
        guard !losses.isEmpty else { throw .emptyGrid(option: "--losses") }
        if let repeated = Self.firstRepeated(networks) { throw .duplicateCell(option: "--models", value: repeated.rawValue) }
        if let repeated = Self.firstRepeated(losses) { throw .duplicateCell(option: "--losses", value: repeated.rawValue) }
        guard seeds >= 1, UInt64(seeds - 1) <= UInt64.max - base.seed else { throw .invalidSeeds(seeds: seeds, firstSeed: base.seed) }
        // Without --test or --val each seed would hold out its own validation split of --train, so
        // the seeds' figures would come from different images, some of them another seed's training.
        guard seeds == 1 || base.test != nil || base.val != nil else { throw .seedsWithoutFixedSplit(seeds: seeds) }
        self.base = base
        self.networks = networks
        self.losses = losses
        self.seeds = seeds
        self.outputPath = outputPath
    }

    /// The split the table reports: the test set when there is one, else validation.
    public var split: String { base.test == nil ? "validation" : "test" }

    /// Every run, networks outer, then losses, then seeds: a cell's seeds finish together.
    public var runs: [SeededRun] {
        networks.flatMap { network in
            losses.flatMap { loss in
                (0..<UInt64(seeds)).map { SeededRun(network: network, loss: loss, seed: base.seed + $0) }
            }
        }
    }

    /// `<network>-<loss>`, and `-seed<seed>` after it when the grid has several seeds (a grid of
    /// one seed keeps the name it had before seeds were an option).
    public func runName(_ run: SeededRun) -> String {
        "\(run.network.rawValue)-\(run.loss.rawValue)" + (seeds > 1 ? "-seed\(run.seed)" : "")
    }

    public func runDirectory(_ run: SeededRun) -> String {
        "\(outputPath)/runs/\(runName(run))"
    }

    /// The configuration of one run: the base with its network, loss, seed and run directory.
    public func configuration(_ run: SeededRun) -> TrainingConfiguration {
        var configuration = base
        configuration.model = run.network
        configuration.loss = run.loss
        configuration.seed = run.seed
        configuration.runDir = runDirectory(run)
        return configuration
    }

    /// Trains every run in the order of `runs`; every rank calls this (under mpirun each run is
    /// one distributed run). After each run rank 0 reads its metrics.json for the table,
    /// re-evaluates its best weights on the reported split for the ROC curves, and rewrites the
    /// summary files, so they hold every finished run should a later one fail or be
    /// interrupted. An interrupted run (Ctrl-C, SIGTERM) ends the grid there.
    /// - Parameter log: rank 0's progress lines between runs.
    /// - Returns: the table of the finished runs on rank 0 (nil on the others), and whether
    ///   the grid ran to its end.
    public func run(
        communicator: Communicator, start: Start, log: (String) -> Void
    ) throws -> (table: ComparisonTable?, outcome: TrainingOutcome) {
        let runs = runs
        // Rank 0 sees the run directories: it decides how every run starts before any trains,
        // so a grid that cannot run as asked fails at once, not after hours of training.
        var actions = [RunAction](repeating: .train, count: runs.count)
        var failure: Error?
        if communicator.isRoot {
            do {
                try createOutputFolder()
                let finished = start == .resume ? try finishedRuns() : []
                actions = try runs.map { try action(for: $0, start: start, finished: finished) }
            } catch {
                failure = error
            }
        }
        // Every rank learns whether rank 0 could plan the grid, so all stop together if not.
        guard try communicator.broadcast(failure == nil) else { throw failure ?? RankFailure.rootFailed }
        var summary = Summary()
        func result(_ outcome: TrainingOutcome) -> (table: ComparisonTable?, outcome: TrainingOutcome) {
            (communicator.isRoot ? table(summary) : nil, outcome)
        }
        for (index, run) in runs.enumerated() {
            let directory = runDirectory(run)
            let action = try communicator.broadcast(actions[index])
            if communicator.isRoot {
                let verb = action == .reuse ? "finished before, results reused" : action == .resume ? "continuing" : "training"
                let seed = seeds > 1 ? ", seed \(run.seed)" : ""
                log("compare: run \(index + 1)/\(runs.count): \(run.network.rawValue) with \(run.loss.rawValue)\(seed) in \(directory) (\(verb))")
            }
            if action != .reuse {
                let trainer = try Trainer(
                    configuration: configuration(run), communicator: communicator,
                    resume: action == .resume, overwrite: start == .overwrite)
                if try trainer.run() == .interrupted { return result(.interrupted) }
            }
            if communicator.isRoot {
                try add(run, to: &summary)
                try write(summary)
            }
            // A signal after the run's last step ends the grid before the next run starts.
            if try communicator.broadcast(Interruption.requested), index + 1 < runs.count { return result(.interrupted) }
        }
        return result(.completed)
    }

    /// What rank 0 gathers from the finished runs.
    private struct Summary {
        /// In the order of `runs`, so a cell's seeds are consecutive.
        var entries: [ComparisonTable.Entry] = []
        /// Per network, one ROC curve per loss (per loss and seed over seeds), and what kind of curve they are.
        var curves: [NetworkKind: [(label: String, curve: ROCCurve)]] = [:]
        var curveKinds: [NetworkKind: String] = [:]
        /// The reported split, decoded once for all cells.
        var reported: ImageCache?
    }

    private func table(_ summary: Summary) -> ComparisonTable {
        ComparisonTable(split: split, seedsPerCell: seeds, entries: summary.entries)
    }

    /// Adds a finished run: its metrics.json entry for the table, and for the ROC plot the
    /// summary curve of its best weights re-evaluated on the reported split.
    private func add(_ run: SeededRun, to summary: inout Summary) throws {
        let directory = runDirectory(run)
        let seedRun = ComparisonTable.SeedRun(seed: run.seed, metrics: try Self.readMetrics(of: directory, split: split))
        if let last = summary.entries.last, last.network == run.network, last.loss == run.loss {
            summary.entries[summary.entries.count - 1] = ComparisonTable.Entry(network: run.network, loss: run.loss, runs: last.runs + [seedRun])
        } else {
            summary.entries.append(ComparisonTable.Entry(network: run.network, loss: run.loss, runs: [seedRun]))
        }
        let trained = try TrainedModel(weightsPath: RunDirectory.Layout(path: directory).bestWeightsPath, batchCapacity: max(2, base.batch))
        let reported = try summary.reported ?? decodeReportedSplit(for: trained)
        summary.reported = reported
        if let curve = try SplitReport.summaryCurve(
            of: try trained.evaluate(reported, threads: threads), classNames: trained.metadata.classNames) {
            let label = seeds > 1 ? "\(run.loss.rawValue), seed \(run.seed)" : run.loss.rawValue
            summary.curves[run.network, default: []].append((label: label, curve: curve.curve))
            summary.curveKinds[run.network] = curve.label
        }
    }

    /// How one run starts, decided by rank 0, which sees the run directories.
    enum RunAction: UInt8, BitwiseCopyable {
        case train, resume, reuse
    }

    private func action(for run: SeededRun, start: Start, finished: Set<String>) throws -> RunAction {
        let directory = runDirectory(run)
        let hasCheckpoint = RunDirectory.Layout(path: directory).hasCheckpoint
        if start == .fresh, hasCheckpoint { throw ComparisonError.existingRun(runDirectory: directory) }
        guard start == .resume, FileManager.default.fileExists(atPath: "\(directory)/config.yaml") else { return .train }
        let saved = try TrainingConfiguration.load(yamlFile: "\(directory)/config.yaml")
        let changed = try configuration(run).optionsDiffering(from: saved, ignoring: TrainingConfiguration.executionOptions)
        guard changed.isEmpty else { throw ComparisonError.optionsChanged(runDirectory: directory, options: changed) }
        if finished.contains(runName(run)) { return .reuse }
        return hasCheckpoint ? .resume : .train
    }

    private func createOutputFolder() throws {
        do {
            try FileManager.default.createDirectory(atPath: outputPath, withIntermediateDirectories: true)
        } catch {
            throw RunDirectoryError.cannotCreate(path: outputPath, reason: error.localizedDescription)
        }
    }

    /// The names (`runName`) of the runs the summary lists: a run is added to it only once it
    /// has finished. One seed: the cells of table.csv; several: the rows of seeds.csv, whose
    /// first three columns are network, loss and seed.
    private func finishedRuns() throws -> Set<String> {
        let path = "\(outputPath)/\(seeds > 1 ? "seeds.csv" : "table.csv")"
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let rows: [[String]]
        do {
            rows = CSV.rows(try String(contentsOfFile: path, encoding: .utf8))
        } catch {
            throw ComparisonError.unreadableMetrics(path: path, reason: error.localizedDescription)
        }
        let columns = seeds > 1 ? 3 : 2
        return Set(rows.dropFirst().compactMap { row -> String? in
            guard row.count >= columns, let network = NetworkKind(rawValue: row[0]), let loss = LossKind(rawValue: row[1]),
                  let seed = seeds > 1 ? UInt64(row[2]) : base.seed
            else { return nil }
            return runName(SeededRun(network: network, loss: loss, seed: seed))
        })
    }

    private var threads: Int { base.threads ?? ResolvedSettings.defaultThreads }

    /// The reported split's images as every run saw them: the same folders, and without a
    /// validation folder the same seeded hold-out of the training folder.
    private func decodeReportedSplit(for trained: TrainedModel) throws -> ImageCache {
        let dataset = try base.dataset()
        guard let folder = dataset.test ?? dataset.validation else { throw TrainingError.noValidationSet }
        return try trained.decode(folder, threads: threads, skipBad: base.skipBad, maximumPixels: base.maxImagePixels)
    }

    /// table.md, table.csv, seeds.csv over several seeds, and roc-<network>.svg in `outputPath`.
    private func write(_ summary: Summary) throws {
        let table = table(summary)
        try AtomicFile.write(table.markdown, to: "\(outputPath)/table.md")
        try AtomicFile.write(table.csv, to: "\(outputPath)/table.csv")
        if seeds > 1 { try AtomicFile.write(table.seedsCSV, to: "\(outputPath)/seeds.csv") }
        for (network, curves) in summary.curves {
            let title = "ROC, \(network.rawValue) (\(split), \(summary.curveKinds[network] ?? ""))"
            try AtomicFile.write(ROCPlot.svg(curves, title: title), to: "\(outputPath)/roc-\(network.rawValue).svg")
        }
    }

    /// The `split` entry of the metrics.json a finished run wrote in `directory`.
    static func readMetrics(of directory: String, split: String) throws -> ClassificationMetrics {
        let path = "\(directory)/metrics.json"
        let splits: [String: ClassificationMetrics]
        do {
            splits = try JSONDecoder().decode([String: ClassificationMetrics].self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw ComparisonError.unreadableMetrics(path: path, reason: "\(error)")
        }
        guard let metrics = splits[split] else {
            throw ComparisonError.unreadableMetrics(path: path, reason: "it has no \"\(split)\" entry")
        }
        return metrics
    }

    private static func firstRepeated<T: Hashable>(_ values: [T]) -> T? {
        var seen = Set<T>()
        return values.first { !seen.insert($0).inserted }
    }
}

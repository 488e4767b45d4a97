import Data
import Distributed
import Evaluation
import Foundation
import Inference
import Losses
import Networks
import Reports
import Support

/// A grid of networks x losses trained with the same seed on the same data (the experiments of
/// the paper's Tables 4 and 6), each cell a full training run in its own run directory
/// `<output>/runs/<network>-<loss>`, summarised in `table.md`, `table.csv` and one overlay ROC
/// plot per network, `roc-<network>.svg`.
public struct LossComparison {
    /// Every option but the network, the loss and the run directory, which each cell sets.
    public let base: TrainingConfiguration
    public let networks: [NetworkKind]
    public let losses: [LossKind]
    public let outputPath: String

    /// How cells whose run directory already holds a run are treated.
    public enum Start: Sendable {
        /// Such a cell is an error (the run is not overwritten).
        case fresh
        /// Such a cell is trained again from the start.
        case overwrite
        /// A cell listed in table.csv is finished and its results are reused; another with a
        /// checkpoint continues from it. Both must have been started with the same options.
        case resume
    }

    public init(base: TrainingConfiguration, networks: [NetworkKind], losses: [LossKind], outputPath: String) throws(ComparisonError) {
        guard !networks.isEmpty else { throw .emptyGrid(option: "--models") }
        guard !losses.isEmpty else { throw .emptyGrid(option: "--losses") }
        if let repeated = Self.firstRepeated(networks) { throw .duplicateCell(option: "--models", value: repeated.rawValue) }
        if let repeated = Self.firstRepeated(losses) { throw .duplicateCell(option: "--losses", value: repeated.rawValue) }
        self.base = base
        self.networks = networks
        self.losses = losses
        self.outputPath = outputPath
    }

    /// The split the table reports: the test set when there is one, else validation.
    public var split: String { base.test == nil ? "validation" : "test" }

    public func runDirectory(network: NetworkKind, loss: LossKind) -> String {
        "\(outputPath)/runs/\(network.rawValue)-\(loss.rawValue)"
    }

    /// The configuration of one cell: the base with its network, loss and run directory.
    public func configuration(network: NetworkKind, loss: LossKind) -> TrainingConfiguration {
        var configuration = base
        configuration.model = network
        configuration.loss = loss
        configuration.runDir = runDirectory(network: network, loss: loss)
        return configuration
    }

    /// Trains every cell, networks outer and losses inner; every rank calls this (under mpirun
    /// each cell is one distributed run). After each cell rank 0 reads the run's metrics.json
    /// for the table, re-evaluates its best weights on the reported split for the ROC curves,
    /// and rewrites the summary files, so they hold every finished cell should a later one
    /// fail or be interrupted. An interrupted cell (Ctrl-C, SIGTERM) ends the grid there.
    /// - Parameter log: rank 0's progress lines between runs.
    /// - Returns: the table of the finished cells on rank 0 (nil on the others), and whether
    ///   the grid ran to its end.
    public func run(
        communicator: Communicator, start: Start, log: (String) -> Void
    ) throws -> (table: ComparisonTable?, outcome: TrainingOutcome) {
        let cells = networks.flatMap { network in losses.map { (network: network, loss: $0) } }
        // Rank 0 sees the run directories: it decides how every cell starts before any trains,
        // so a grid that cannot run as asked fails at once, not after hours of training.
        var actions = [CellAction](repeating: .train, count: cells.count)
        var failure: Error?
        if communicator.isRoot {
            do {
                try createOutputFolder()
                let finished = start == .resume ? try finishedCells() : []
                actions = try cells.map { try action(for: $0, start: start, finished: finished) }
            } catch {
                failure = error
            }
        }
        // Every rank learns whether rank 0 could plan the grid, so all stop together if not.
        guard try communicator.broadcast(failure == nil) else { throw failure ?? RankFailure.rootFailed }
        var summary = Summary()
        func result(_ outcome: TrainingOutcome) -> (table: ComparisonTable?, outcome: TrainingOutcome) {
            (communicator.isRoot ? ComparisonTable(split: split, entries: summary.entries) : nil, outcome)
        }
        for (index, cell) in cells.enumerated() {
            let directory = runDirectory(network: cell.network, loss: cell.loss)
            let action = try communicator.broadcast(actions[index])
            if communicator.isRoot {
                let verb = action == .reuse ? "finished before, results reused" : action == .resume ? "continuing" : "training"
                log("compare: run \(index + 1)/\(cells.count): \(cell.network.rawValue) with \(cell.loss.rawValue) in \(directory) (\(verb))")
            }
            if action != .reuse {
                let trainer = try Trainer(
                    configuration: configuration(network: cell.network, loss: cell.loss), communicator: communicator,
                    resume: action == .resume, overwrite: start == .overwrite)
                if try trainer.run() == .interrupted { return result(.interrupted) }
            }
            if communicator.isRoot {
                try add(cell, to: &summary)
                try write(summary)
            }
            // A signal after the cell's last step ends the grid before the next cell starts.
            if try communicator.broadcast(Interruption.requested), index + 1 < cells.count { return result(.interrupted) }
        }
        return result(.completed)
    }

    /// What rank 0 gathers from the finished cells.
    private struct Summary {
        var entries: [ComparisonTable.Entry] = []
        /// Per network, one ROC curve per loss, and what kind of curve they are.
        var curves: [NetworkKind: [(label: String, curve: ROCCurve)]] = [:]
        var curveKinds: [NetworkKind: String] = [:]
        /// The reported split, decoded once for all cells.
        var reported: ImageCache?
    }

    /// Adds a finished cell: its metrics.json entry for the table, and for the ROC plot the
    /// summary curve of its best weights re-evaluated on the reported split.
    private func add(_ cell: (network: NetworkKind, loss: LossKind), to summary: inout Summary) throws {
        let directory = runDirectory(network: cell.network, loss: cell.loss)
        summary.entries.append(ComparisonTable.Entry(
            network: cell.network, loss: cell.loss, metrics: try Self.readMetrics(of: directory, split: split)))
        let trained = try TrainedModel(weightsPath: RunDirectory.Layout(path: directory).bestWeightsPath, batchCapacity: max(2, base.batch))
        let reported = try summary.reported ?? decodeReportedSplit(for: trained)
        summary.reported = reported
        let report = try SplitReport(
            split: split, evaluation: try trained.evaluate(reported, threads: threads), classNames: trained.metadata.classNames)
        if let curve = report.summaryCurve {
            summary.curves[cell.network, default: []].append((label: cell.loss.rawValue, curve: curve.curve))
            summary.curveKinds[cell.network] = curve.label
        }
    }

    /// How one cell starts, decided by rank 0, which sees the run directories.
    enum CellAction: UInt8, BitwiseCopyable {
        case train, resume, reuse
    }

    private func action(for cell: (network: NetworkKind, loss: LossKind), start: Start, finished: Set<String>) throws -> CellAction {
        let directory = runDirectory(network: cell.network, loss: cell.loss)
        let hasCheckpoint = RunDirectory.Layout(path: directory).hasCheckpoint
        if start == .fresh, hasCheckpoint { throw ComparisonError.existingRun(runDirectory: directory) }
        guard start == .resume, FileManager.default.fileExists(atPath: "\(directory)/config.yaml") else { return .train }
        let saved = try TrainingConfiguration.load(yamlFile: "\(directory)/config.yaml")
        let changed = try configuration(network: cell.network, loss: cell.loss)
            .optionsDiffering(from: saved, ignoring: TrainingConfiguration.executionOptions)
        guard changed.isEmpty else { throw ComparisonError.optionsChanged(runDirectory: directory, options: changed) }
        if finished.contains("\(cell.network.rawValue)-\(cell.loss.rawValue)") { return .reuse }
        return hasCheckpoint ? .resume : .train
    }

    private func createOutputFolder() throws {
        do {
            try FileManager.default.createDirectory(atPath: outputPath, withIntermediateDirectories: true)
        } catch {
            throw RunDirectoryError.cannotCreate(path: outputPath, reason: error.localizedDescription)
        }
    }

    /// The cells table.csv lists: a cell is added to it only once its run has finished.
    private func finishedCells() throws -> Set<String> {
        let path = "\(outputPath)/table.csv"
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let rows: [[String]]
        do {
            rows = CSV.rows(try String(contentsOfFile: path, encoding: .utf8))
        } catch {
            throw ComparisonError.unreadableMetrics(path: path, reason: error.localizedDescription)
        }
        return Set(rows.dropFirst().filter { $0.count >= 2 }.map { "\($0[0])-\($0[1])" })
    }

    private var threads: Int { base.threads ?? ResolvedSettings.defaultThreads }

    /// The reported split's images as every run saw them: the same folders, and without a
    /// validation folder the same seeded hold-out of the training folder.
    private func decodeReportedSplit(for trained: TrainedModel) throws -> ImageCache {
        let dataset = try base.dataset()
        guard let folder = dataset.test ?? dataset.validation else { throw TrainingError.noValidationSet }
        return try trained.decode(folder, threads: threads, skipBad: base.skipBad, maximumPixels: base.maxImagePixels)
    }

    /// table.md, table.csv and roc-<network>.svg in `outputPath`.
    private func write(_ summary: Summary) throws {
        let table = ComparisonTable(split: split, entries: summary.entries)
        try AtomicFile.write(table.markdown, to: "\(outputPath)/table.md")
        try AtomicFile.write(table.csv, to: "\(outputPath)/table.csv")
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

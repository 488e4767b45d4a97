import Data
import Evaluation
import Foundation
import Losses
import Networks

/// The results of a grid of networks x losses in the layout of the paper's Tables 4 and 6: one
/// row per network and loss, grouped by network, with mean SEN, mean SPE, ACC and AUC. When
/// every cell is trained with several seeds, each figure is the mean ± sample sd over them.
public struct ComparisonTable: Equatable, Sendable {
    /// One training run of a cell: its seed and its metrics on the reported split.
    public struct SeedRun: Equatable, Sendable {
        public let seed: UInt64
        public let metrics: ClassificationMetrics

        public init(seed: UInt64, metrics: ClassificationMetrics) {
            self.seed = seed
            self.metrics = metrics
        }
    }

    public struct Entry: Equatable, Sendable {
        public let network: NetworkKind
        public let loss: LossKind
        /// The cell's finished runs in seed order; one for a grid of one seed.
        public let runs: [SeedRun]

        public init(network: NetworkKind, loss: LossKind, runs: [SeedRun]) {
            precondition(!runs.isEmpty, "a table entry is a cell with at least one finished run")
            self.network = network
            self.loss = loss
            self.runs = runs
        }

        /// The figure of `column` over the runs that define it; nil when none does.
        fileprivate func summary(_ column: Column) -> SampleSummary? {
            SampleSummary(runs.compactMap { column.value($0.metrics) })
        }
    }

    /// The split the metrics come from ("test", or "validation" without a test set).
    public let split: String
    /// Seeds each cell is trained with: 1 gives the paper's table, more the mean ± sd tables.
    public let seedsPerCell: Int
    /// In the order they are shown; entries of one network are kept together by the caller.
    public let entries: [Entry]

    public init(split: String, seedsPerCell: Int = 1, entries: [Entry]) {
        self.split = split
        self.seedsPerCell = seedsPerCell
        self.entries = entries
    }

    private var imageCount: Int? { entries.first?.runs[0].metrics.confusionMatrix.sampleCount }

    /// table.md: a caption, then the table with the network named on the first row of its
    /// group only (a merged cell in print); within a network of several losses the best value
    /// (the best mean over seeds) of each column is bold (all of them on a tie). Undefined
    /// values read "n/a". Over seeds, a figure reads "mean ± sd", or its one value while only
    /// one seed defines it, and a Seeds column counts the cell's finished runs.
    public var markdown: String {
        let imagesNote = imageCount.map { " (\($0) images)" } ?? ""
        let overSeeds = seedsPerCell > 1
        let caption = overSeeds
            ? "Results on the \(split) split\(imagesNote), mean ± sample sd over the seeds of each cell: SEN and SPE are means over the classes, "
                + "AUC is macro-averaged one-vs-rest for more than two classes; the best mean of each network in bold."
            : "Results on the \(split) split\(imagesNote): SEN and SPE are means over the classes, "
                + "AUC is macro-averaged one-vs-rest for more than two classes; the best of each network in bold."
        let seedsHeader = overSeeds ? ["Seeds"] : []
        var lines = [
            caption,
            "",
            "| " + (["Network", "Loss"] + seedsHeader + Column.allCases.map(\.header)).joined(separator: " | ") + " |",
            "| " + (["Network", "Loss"] + seedsHeader).map { _ in ":--" }.joined(separator: " | ") + " | "
                + Column.allCases.map { _ in "--:" }.joined(separator: " | ") + " |",
        ]
        var previous: NetworkKind?
        for entry in entries {
            let group = entries.filter { $0.network == entry.network }
            let cells = Column.allCases.map { column -> String in
                guard let summary = entry.summary(column) else { return "n/a" }
                let mean = column.format(summary.mean)
                let best = group.compactMap { $0.summary(column)?.mean }.max()
                // Compared as shown, so values that round alike are bold alike.
                let shown = group.count > 1 && best.map(column.format) == mean ? "**\(mean)**" : mean
                return summary.standardDeviation.map { "\(shown) ± \(column.format($0))" } ?? shown
            }
            let network = entry.network == previous ? "" : entry.network.rawValue
            previous = entry.network
            let seeds = overSeeds ? ["\(entry.runs.count)"] : []
            lines.append("| " + ([network, entry.loss.rawValue] + seeds + cells).joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// table.csv: `network,loss,split,images,sen,spe,acc,auc`, fractions at full precision,
    /// undefined values empty. Over seeds, `network,loss,split,images,seeds,sen,sen_sd,...`:
    /// the means and sample sds over the cell's finished runs (sd empty below two values).
    public var csv: String {
        let overSeeds = seedsPerCell > 1
        func cell(_ value: Double?) -> String { value.map { "\($0)" } ?? "" }
        let figureHeaders = Column.allCases.flatMap { overSeeds ? [$0.csvHeader, $0.csvHeader + "_sd"] : [$0.csvHeader] }
        var text = CSV.line(["network", "loss", "split", "images"] + (overSeeds ? ["seeds"] : []) + figureHeaders)
        for entry in entries {
            let figures = Column.allCases.flatMap { column -> [String] in
                let summary = entry.summary(column)
                return overSeeds ? [cell(summary?.mean), cell(summary?.standardDeviation)] : [cell(summary?.mean)]
            }
            text += CSV.line(
                [entry.network.rawValue, entry.loss.rawValue, split, "\(entry.runs[0].metrics.confusionMatrix.sampleCount)"]
                    + (overSeeds ? ["\(entry.runs.count)"] : []) + figures)
        }
        return text
    }

    /// seeds.csv: every run's own figures, `network,loss,seed,split,images,sen,spe,acc,auc`,
    /// fractions at full precision, undefined values empty.
    public var seedsCSV: String {
        var text = CSV.line(["network", "loss", "seed", "split", "images"] + Column.allCases.map(\.csvHeader))
        for entry in entries {
            for run in entry.runs {
                text += CSV.line(
                    [entry.network.rawValue, entry.loss.rawValue, "\(run.seed)", split, "\(run.metrics.confusionMatrix.sampleCount)"]
                        + Column.allCases.map { column in column.value(run.metrics).map { "\($0)" } ?? "" })
            }
        }
        return text
    }
}

/// The four columns of Tables 4 and 6.
fileprivate enum Column: CaseIterable {
    case sensitivity, specificity, accuracy, auc

    var header: String {
        switch self {
        case .sensitivity: "SEN (%)"
        case .specificity: "SPE (%)"
        case .accuracy: "ACC (%)"
        case .auc: "AUC"
        }
    }

    var csvHeader: String {
        switch self {
        case .sensitivity: "sen"
        case .specificity: "spe"
        case .accuracy: "acc"
        case .auc: "auc"
        }
    }

    func value(_ metrics: ClassificationMetrics) -> Double? {
        switch self {
        case .sensitivity: metrics.meanSensitivity
        case .specificity: metrics.meanSpecificity
        case .accuracy: metrics.accuracy
        case .auc: metrics.auc
        }
    }

    /// SEN, SPE and ACC as percentages with two decimals, AUC as a fraction with four.
    func format(_ value: Double) -> String {
        self == .auc ? String(format: "%.4f", value) : String(format: "%.2f", value * 100)
    }
}

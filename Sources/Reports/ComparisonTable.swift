import Data
import Evaluation
import Foundation
import Losses
import Networks

/// The results of a grid of networks x losses in the layout of the paper's Tables 4 and 6: one
/// row per network and loss, grouped by network, with mean SEN, mean SPE, ACC and AUC.
public struct ComparisonTable: Equatable, Sendable {
    public struct Entry: Equatable, Sendable {
        public let network: NetworkKind
        public let loss: LossKind
        public let metrics: ClassificationMetrics

        public init(network: NetworkKind, loss: LossKind, metrics: ClassificationMetrics) {
            self.network = network
            self.loss = loss
            self.metrics = metrics
        }
    }

    /// The split the metrics come from ("test", or "validation" without a test set).
    public let split: String
    /// In the order they are shown; entries of one network are kept together by the caller.
    public let entries: [Entry]

    public init(split: String, entries: [Entry]) {
        self.split = split
        self.entries = entries
    }

    /// table.md: a caption, then the table with the network named on the first row of its
    /// group only (a merged cell in print); within a network of several losses the best value
    /// of each column is bold (all of them on a tie). Undefined values read "n/a".
    public var markdown: String {
        let images = entries.first.map { " (\($0.metrics.confusionMatrix.sampleCount) images)" } ?? ""
        var lines = [
            "Results on the \(split) split\(images): SEN and SPE are means over the classes, "
                + "AUC is macro-averaged one-vs-rest for more than two classes; the best of each network in bold.",
            "",
            "| Network | Loss | " + Column.allCases.map(\.header).joined(separator: " | ") + " |",
            "| :-- | :-- | " + Column.allCases.map { _ in "--:" }.joined(separator: " | ") + " |",
        ]
        var previous: NetworkKind?
        for entry in entries {
            let group = entries.filter { $0.network == entry.network }
            let cells = Column.allCases.map { column -> String in
                guard let value = column.value(entry.metrics) else { return "n/a" }
                let text = column.format(value)
                let best = group.compactMap { column.value($0.metrics) }.max()
                // Compared as shown, so values that round alike are bold alike.
                return group.count > 1 && best.map(column.format) == text ? "**\(text)**" : text
            }
            let network = entry.network == previous ? "" : entry.network.rawValue
            previous = entry.network
            lines.append("| \(network) | \(entry.loss.rawValue) | " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// table.csv: `network,loss,split,images,sen,spe,acc,auc`, fractions at full precision,
    /// undefined values empty.
    public var csv: String {
        var text = CSV.line(["network", "loss", "split", "images"] + Column.allCases.map(\.csvHeader))
        for entry in entries {
            text += CSV.line(
                [entry.network.rawValue, entry.loss.rawValue, split, "\(entry.metrics.confusionMatrix.sampleCount)"]
                    + Column.allCases.map { column in column.value(entry.metrics).map { "\($0)" } ?? "" })
        }
        return text
    }
}

/// The four columns of Tables 4 and 6.
private enum Column: CaseIterable {
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

import ArgumentParser
import Evaluation
import Foundation
import Reports
import Training

/// `bstrain compare-runs`: are two trained models different on the same test images?
struct CompareRunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare-runs",
        abstract: "Test whether two runs differ on the same test images: paired DeLong test for AUC, McNemar's test for accuracy.",
        discussion: """
            Reads each run's predictions-test.csv (written by 'bstrain train --test ...') and the true \
            classes from the test folder. AUC: DeLong's paired test (the two models score the same \
            images, so their AUCs are correlated; an unpaired comparison overstates the uncertainty), \
            per class and for the reported AUC (the positive class's for two classes, the macro average \
            for more). Accuracy: McNemar's test on the images only one model classifies correctly, \
            exact binomial below 25 such images, continuity-corrected chi-square from 25 on. Each \
            difference (first minus second) comes with its 95% interval. Refuses runs tested on \
            different images.
            """)

    @Argument(help: "The first run directory.")
    var firstRun: String

    @Argument(help: "The second run directory.")
    var secondRun: String

    @Option(help: "The labelled test folder both runs predicted (default: the first run's --test, from its config.yaml).")
    var test: String?

    func run() throws {
        let result = try RunComparison(firstRun: firstRun, secondRun: secondRun, testFolder: test)
        for line in Self.lines(result) { print(line) }
    }

    static func lines(_ result: RunComparison) -> [String] {
        let comparison = result.comparison
        let classNames = comparison.classNames
        func format(_ value: Double) -> String { String(format: "%.4f", value) }
        func signed(_ value: Double) -> String { String(format: "%+.4f", value) }
        func pValue(_ value: Double) -> String { value < 1e-4 ? String(format: "%.1e", value) : String(format: "%.4f", value) }

        var table = [["", "first", "second", "difference [95% CI]", "p", "test"]]
        func aucRow(_ label: String, _ test: PairedDeLongTest?) -> [String] {
            guard let test else { return [label, "n/a", "n/a", "n/a", "", "undefined"] }
            return [label, format(test.first), format(test.second), "\(signed(test.difference)) \(test.interval)",
                    pValue(test.pValue), "paired DeLong"]
        }
        let reported = classNames.count == 2 ? "AUC (\(classNames[1]) positive)" : "AUC (macro)"
        table.append(aucRow(reported, comparison.auc))
        if classNames.count > 2 {
            for (name, test) in zip(classNames, comparison.classAUC) { table.append(aucRow("AUC \(name)", test)) }
        }
        let mcnemar = comparison.accuracy
        table.append([
            "ACC", format(comparison.firstAccuracy), format(comparison.secondAccuracy),
            "\(signed(mcnemar.accuracyDifference)) \(mcnemar.differenceInterval)", pValue(mcnemar.pValue),
            "McNemar (\(mcnemar.method.rawValue))",
        ])
        return ["first:  \(result.firstRun)", "second: \(result.secondRun)",
                "on the same \(comparison.imageCount) test images of \(result.testFolder)", ""]
            + textTable(table)
            + ["", "McNemar: \(mcnemar.onlyFirstCorrect) image(s) only the first classifies correctly, "
                + "\(mcnemar.onlySecondCorrect) only the second; p is two-sided; intervals are 95%."]
    }
}

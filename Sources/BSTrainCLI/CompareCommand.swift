import ArgumentParser
import Foundation
import Losses
import Networks
import Training

/// `bstrain compare`: the paper's comparison of losses across networks (Tables 4 and 6).
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Train a grid of networks x losses on the same data and seed; write the comparison table and ROC plots.",
        discussion: """
            Every cell is a full 'bstrain train' run with the options given here (the paper's \
            defaults otherwise), in OUT/runs/<model>-<loss>. Then OUT/table.md and OUT/table.csv hold \
            mean SEN, mean SPE, ACC and AUC per network and loss, on --test when given, else on the \
            validation split; OUT/roc-<model>.svg overlays one ROC curve per loss (the positive \
            class's for two classes, the micro-average over classes for more). The table is \
            rewritten after every run, so it holds the finished cells if a later one fails; Ctrl-C stops the \
            grid after a checkpoint, and --resume continues it. Under mpirun every rank runs the same \
            grid, each cell as one distributed run. With --seeds N each cell is trained N times, with \
            --seed, --seed + 1, ..., in OUT/runs/<model>-<loss>-seed<seed>: the table gives the mean ± \
            sample sd over the seeds and OUT/seeds.csv every run's own figures.
            """)

    @Option(help: "Networks, comma-separated: \(NetworkKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var models: String
    @Option(help: "Losses, comma-separated: \(LossKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var losses: String
    @Option(help: "Folder for runs/, table.md, table.csv and roc-<model>.svg.")
    var out: String
    @Option(help: "Train each cell this many times, with --seed, --seed + 1, ...; over 1 the table shows mean ± sd (needs --test or --val).")
    var seeds = 1

    @Option(help: "YAML file with any 'bstrain train' option (names without dashes) as the base of every run.")
    var config: String?
    @Flag(help: "Continue a grid in --out: runs listed in its table.csv are reused, an interrupted one continues from its checkpoint. Give the same options as before.")
    var resume = false
    @Flag(help: "Start again in run directories that already hold a run, replacing their files.")
    var overwrite = false

    // Every 'bstrain train' option but the network, the loss and the run directory, which
    // each cell of the grid sets.
    @OptionGroup
    var options: SharedTrainingOptions

    func validate() throws {
        guard !(resume && overwrite) else { throw ValidationError("--resume continues the runs in --out and --overwrite replaces them: give one") }
    }

    func run() throws {
        let base = try options.configuration(configFile: config)
        let comparison = try LossComparison(
            base: base, networks: try parseList(models, option: "--models"), losses: try parseList(losses, option: "--losses"),
            seeds: seeds, outputPath: out)
        var outcome = TrainingOutcome.completed
        try runOnEveryRank { communicator in
            let result = try comparison.run(
                communicator: communicator, start: resume ? .resume : overwrite ? .overwrite : .fresh, log: { print($0) })
            outcome = result.outcome
            guard let table = result.table else { return }
            print("")
            print(table.markdown, terminator: "")
            if outcome == .interrupted {
                let finished = table.entries.reduce(0) { $0 + $1.runs.count }
                print("\ninterrupted after \(finished) finished run(s), listed in \(out)/table.md; continue the grid with the same command and --resume")
            } else {
                let tables = ["table.md", "table.csv"] + (seeds > 1 ? ["seeds.csv"] : [])
                let plots = comparison.networks.map { "roc-\($0.rawValue).svg" }.joined(separator: ", ")
                print("\nwrote \(tables.joined(separator: ", ")) and \(plots) to \(out)")
            }
        }
        if outcome == .interrupted { throw ExitCode(130) }
    }

    /// The comma-separated names of `text` as values of `T`.
    private func parseList<T: RawRepresentable & CaseIterable>(_ text: String, option: String) throws -> [T] where T.RawValue == String {
        try text.split(separator: ",").map { name in
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard let value = T(rawValue: trimmed) else {
                throw ValidationError("\(option): '\(trimmed)' is not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return value
        }
    }
}

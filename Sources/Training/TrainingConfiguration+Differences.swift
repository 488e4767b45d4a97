import Yams

extension TrainingConfiguration {
    /// Options that do not change what a run computes, only how it executes.
    public static let executionOptions: Set<String> = ["threads", "log-format", "bucket-mb"]

    /// Options `--resume` may change besides the execution options: how long the run goes on,
    /// what it reports on at the end, whether it skips a non-finite step, and where it lives.
    /// The schedule's and early stopping's settings are not among them: their state is in the
    /// checkpoint, so a new value would be silently ignored.
    public static let optionsChangeableOnResume = executionOptions.union(["epochs", "test", "skip-nonfinite", "run-dir"])

    /// The options (by their command-line names, sorted) whose values differ between `self`
    /// and `other`, leaving out those named in `ignoring`.
    public func optionsDiffering(from other: TrainingConfiguration, ignoring: Set<String> = []) throws -> [String] {
        try differences(from: other, ignoring: ignoring).map(\.option)
    }

    /// Each differing option with its value here and in `other`, as config.yaml writes them.
    public func differences(
        from other: TrainingConfiguration, ignoring: Set<String> = []
    ) throws -> [(option: String, mine: String, theirs: String)] {
        let mine = try optionValues()
        let theirs = try other.optionValues()
        return Set(mine.keys).union(theirs.keys).subtracting(ignoring).filter { mine[$0] != theirs[$0] }.sorted().map {
            ($0, mine[$0] ?? "null", theirs[$0] ?? "null")
        }
    }

    /// Refuses a `--resume` whose options (`continuation`) would change what this run, read
    /// from its config.yaml, computes: a resumed run must reach the weights an uninterrupted
    /// one would, and a checkpoint taken inside an epoch only fits the epoch it came from.
    public func checkContinued(by continuation: TrainingConfiguration, runDirectory: String) throws {
        // The cosine schedule spans --epochs: other epochs would change the rates of the
        // epochs still to run from those the run started with.
        let changeable = lrSchedule == .cosine ? Self.optionsChangeableOnResume.subtracting(["epochs"]) : Self.optionsChangeableOnResume
        let changed = try differences(from: continuation, ignoring: changeable)
        guard changed.isEmpty else {
            throw TrainingError.resumeChangesOptions(
                runDirectory: runDirectory,
                changes: changed.map { change in
                    let why = change.option == "epochs" ? " (the cosine schedule spans --epochs)" : ""
                    return "--\(change.option) \(change.mine) → \(change.theirs)\(why)"
                },
                changeable: changeable.subtracting(["run-dir"]).sorted().map { "--\($0)" })
        }
    }

    /// Every option's value as text, keyed by its command-line name, as config.yaml holds them.
    private func optionValues() throws -> [String: String] {
        let mapping = try Yams.load(yaml: try yaml()) as? [String: Any] ?? [:]
        return mapping.mapValues { "\($0)" }
    }
}

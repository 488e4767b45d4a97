import Yams

extension TrainingConfiguration {
    /// The options (by their command-line names, sorted) whose values differ between `self`
    /// and `other`, leaving out those named in `ignoring`.
    public func optionsDiffering(from other: TrainingConfiguration, ignoring: Set<String> = []) throws -> [String] {
        let mine = try optionValues()
        let theirs = try other.optionValues()
        return Set(mine.keys).union(theirs.keys).subtracting(ignoring).filter { mine[$0] != theirs[$0] }.sorted()
    }

    /// Every option's value as text, keyed by its command-line name, as config.yaml holds them.
    private func optionValues() throws -> [String: String] {
        let mapping = try Yams.load(yaml: try yaml()) as? [String: Any] ?? [:]
        return mapping.mapValues { "\($0)" }
    }
}

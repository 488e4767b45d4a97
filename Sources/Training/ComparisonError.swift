/// Why `bstrain compare` cannot run its grid or read back a run's results.
public enum ComparisonError: Error, CustomStringConvertible, Equatable {
    case emptyGrid(option: String)
    case duplicateCell(option: String, value: String)
    case unreadableMetrics(path: String, reason: String)
    case existingRun(runDirectory: String)
    /// `--resume` of a run started with other values of `options`.
    case optionsChanged(runDirectory: String, options: [String])

    public var description: String {
        switch self {
        case let .emptyGrid(option):
            return "\(option) names nothing to compare; give one or more comma-separated names, e.g. \(option) \(option == "--models" ? "mobilenetv3-small,shufflenetv2" : "ce,ce+bst")"
        case let .duplicateCell(option, value):
            return "\(option) names \(value) twice; each network and loss is trained once"
        case let .unreadableMetrics(path, reason):
            return "cannot read the results of a finished run from \(path) (\(reason)); the run directory beside it holds its log"
        case let .existingRun(runDirectory):
            return "\(runDirectory) already holds a run; continue the grid with --resume (the same options), "
                + "start it again with --overwrite, or choose another --out"
        case let .optionsChanged(runDirectory, options):
            return "\(runDirectory) was started with other values of \(options.map { "--\($0)" }.joined(separator: ", ")) "
                + "(see its config.yaml); resume with the options it was started with, or start again with --overwrite"
        }
    }
}

/// Why `bstrain compare` cannot run its grid or read back a run's results.
public enum ComparisonError: Error, CustomStringConvertible, Equatable {
    case emptyGrid(option: String)
    case duplicateCell(option: String, value: String)
    case unreadableMetrics(path: String, reason: String)
    case existingRun(runDirectory: String)
    /// `--resume` of a run started with other values of `options`.
    case optionsChanged(runDirectory: String, options: [String])
    /// `--seeds` below 1, or seeds counted up from `firstSeed` past the largest seed.
    case invalidSeeds(seeds: Int, firstSeed: UInt64)
    /// `--seeds` above 1 with the validation split held out of --train by each seed.
    case seedsWithoutFixedSplit(seeds: Int)

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
        case let .invalidSeeds(seeds, firstSeed):
            return seeds < 1
                ? "--seeds \(seeds) is not valid: give how many seeds each cell is trained with, 1 or more"
                : "--seeds \(seeds) from --seed \(firstSeed) counts past the largest seed, \(UInt64.max); give a smaller --seed"
        case let .seedsWithoutFixedSplit(seeds):
            return "--seeds \(seeds) needs --test or --val: without them each seed holds out its own validation split of --train, "
                + "so the seeds' figures would come from different images; give a test folder, or a validation folder"
        }
    }
}

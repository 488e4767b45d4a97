/// Why a run cannot start or continue, each with what to do about it.
public enum TrainingError: Error, CustomStringConvertible {
    case invalidOption(name: String, value: String, expected: String)
    case batchTooSmallForRanks(batch: Int, ranks: Int)
    case missingFile(path: String, what: String)
    case incompatibleWeights(path: String, model: String, reason: String)
    case corruptCheckpoint(path: String, reason: String)
    case checkpointMismatch(path: String, reason: String)
    case nonFiniteLoss(epoch: Int, iteration: Int, detail: String, lastCheckpoint: String?)
    case noValidationSet
    case resumeChangesOptions(runDirectory: String, changes: [String], changeable: [String])
    case configWithResume

    public var description: String {
        switch self {
        case .invalidOption(let name, let value, let expected):
            return "\(name) \(value) is not valid: expected \(expected)"
        case .batchTooSmallForRanks(let batch, let ranks):
            return "--batch \(batch) is smaller than the number of ranks (\(ranks)): every rank needs at least one sample; raise --batch or start fewer ranks"
        case .missingFile(let path, let what):
            return "\(what) \(path) does not exist"
        case .incompatibleWeights(let path, let model, let reason):
            return "\(path) does not fit --model \(model): \(reason); pass the --model, --channels and --image-size it was trained with"
        case .corruptCheckpoint(let path, let reason):
            return "checkpoint \(path) is damaged (\(reason)); it was not used. Start a new run, or restore the file from a backup"
        case .checkpointMismatch(let path, let reason):
            return "checkpoint \(path) belongs to a different run: \(reason); resume with the options it was written with (see config.yaml beside it)"
        case .nonFiniteLoss(let epoch, let iteration, let detail, let lastCheckpoint):
            let checkpoint = lastCheckpoint.map { "the last good checkpoint is \($0) (resume with --resume)" } ?? "no checkpoint was written yet"
            return "training diverged at epoch \(epoch + 1), iteration \(iteration + 1): \(detail); no weights were saved from this step; \(checkpoint). Try a lower --lr"
        case .resumeChangesOptions(let runDirectory, let changes, let changeable):
            return "--resume \(runDirectory) cannot change \(changes.joined(separator: ", ")): a resumed run keeps the options it started with (\(runDirectory)/config.yaml), so that it reaches the weights an uninterrupted run would; only \(changeable.joined(separator: ", ")) may change. To train with other options, start a new run with --run-dir"
        case .configWithResume:
            return "--config cannot be combined with --resume: a resumed run takes its options from its own config.yaml; give what may change (such as --epochs) on the command line"
        case .noValidationSet:
            return "no validation images: give --val DIR or a --val-fraction above 0"
        }
    }
}

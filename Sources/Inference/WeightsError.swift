import Networks
import Support

/// Why a weights file (`--weights`) cannot be used for inference, naming the file and what to
/// pass instead.
public enum WeightsError: Error, CustomStringConvertible, Equatable {
    case missingFile(path: String)
    /// Not a safetensors file at all (`reason` from the reader: truncated, not JSON, ...).
    case notSafetensors(path: String, reason: String)
    /// `checkpoints/last.ckpt`: a safetensors file too, but with the optimizer's state.
    case checkpointGiven(path: String)
    /// A safetensors file without the metadata bstrain writes (from another program).
    case notBstrainWeights(path: String, missingKeys: [String])
    case invalidMetadata(path: String, key: String, value: String, expected: String)
    /// The metadata names one network, the tensors are another's.
    case networkMismatch(path: String, metadata: NetworkKind, tensors: NetworkKind)
    /// The metadata's `channels` disagrees with the first convolution's input channels.
    case channelMismatch(path: String, metadata: Int, tensors: Int)
    /// The metadata lists `classNames`, the classifier has `tensors` outputs.
    case classCountMismatch(path: String, classNames: [String], tensors: Int)
    /// The tensors fit no bstrain network (`reason` names the first tensor that does not fit).
    case tensorsDoNotFit(path: String, network: NetworkKind, reason: String)
    /// A parameter or statistic is NaN or infinite: the run diverged, or the file was altered.
    case nonFiniteValues(path: String, tensor: String)
    /// A labelled folder whose classes are not the ones the model was trained on.
    case classMismatch(path: String, weightsClasses: [String], folder: String, folderClasses: [String])
    /// The network at the asked batch size would not fit in this machine's memory.
    case insufficientMemory(MemoryBudgetError)

    public var description: String {
        let rerun = "use a weights file written by 'bstrain train' (RUN_DIR/weights/best.safetensors) unchanged"
        switch self {
        case let .missingFile(path):
            return "weights file \(path) does not exist; pass RUN_DIR/weights/best.safetensors (or last.safetensors) of a training run"
        case let .notSafetensors(path, reason):
            return "\(path) is not a weights file (\(reason)); pass RUN_DIR/weights/best.safetensors of a training run"
        case let .checkpointGiven(path):
            return "\(path) is a training checkpoint (weights plus optimizer state), not a weights file; pass the weights beside it, RUN_DIR/weights/best.safetensors"
        case let .notBstrainWeights(path, missingKeys):
            return "\(path) is a safetensors file but not one bstrain wrote: its metadata lacks \(missingKeys.joined(separator: ", ")), "
                + "so the network, classes and input size are unknown; \(rerun)"
        case let .invalidMetadata(path, key, value, expected):
            return "\(path): metadata \(key) = '\(value)' is not valid (expected \(expected)); \(rerun)"
        case let .networkMismatch(path, metadata, tensors):
            return "\(path): its metadata says \(metadata.rawValue) but its tensors are those of \(tensors.rawValue); "
                + "the file was altered after training; \(rerun)"
        case let .channelMismatch(path, metadata, tensors):
            return "\(path): its metadata says \(metadata) input channel(s) but its first convolution takes \(tensors); "
                + "the file was altered after training; \(rerun)"
        case let .classCountMismatch(path, classNames, tensors):
            return "\(path): its metadata lists \(classNames.count) classes (\(classNames.joined(separator: ", "))) but its classifier has "
                + "\(tensors) outputs; the file was altered after training; \(rerun)"
        case let .tensorsDoNotFit(path, network, reason):
            return "\(path): its tensors do not fit \(network.rawValue), the network its metadata names (\(reason)); \(rerun)"
        case let .nonFiniteValues(path, tensor):
            return "\(path): tensor '\(tensor)' holds NaN or infinite values, so every prediction would be NaN; "
                + "the run that wrote it diverged or the file was altered; use the weights of an earlier epoch or train again with a lower --lr"
        case let .classMismatch(path, weightsClasses, folder, folderClasses):
            return "\(folder) has classes [\(folderClasses.joined(separator: ", "))] but \(path) was trained on "
                + "[\(weightsClasses.joined(separator: ", "))]; give a folder with one subfolder per trained class, named the same"
        case let .insufficientMemory(error):
            return "\(error)"
        }
    }
}

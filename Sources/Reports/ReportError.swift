/// Why a report could not be written where it was asked for.
public enum ReportError: Error, CustomStringConvertible {
    case cannotCreateFolder(path: String, reason: String)

    public var description: String {
        switch self {
        case .cannotCreateFolder(let path, let reason):
            "cannot create the folder \(path) for the report: \(reason); choose another --out"
        }
    }
}

import Foundation
import Support

/// The folder a training run leaves behind (docs/architecture.md), held with an exclusive
/// lock so two runs cannot write into the same one. Its files' paths are those of its
/// `Layout`, read as its own: `runDirectory.lastCheckpointPath`.
@dynamicMemberLookup
public final class RunDirectory {
    public let layout: Layout
    private var lockDescriptor: Int32 = -1

    public var path: String { layout.path }
    public func file(_ name: String) -> String { layout.file(name) }

    public subscript<Value>(dynamicMember keyPath: KeyPath<Layout, Value>) -> Value {
        layout[keyPath: keyPath]
    }

    /// Where each file of a run directory lives, from its path alone: for writing a run, and
    /// for reading one without opening (locking) it, as `bstrain compare` and `--resume` do.
    public struct Layout: Sendable {
        public let path: String

        public init(path: String) {
            self.path = path
        }

        public var checkpointsPath: String { "\(path)/checkpoints" }
        public var weightsPath: String { "\(path)/weights" }
        public var plotsPath: String { "\(path)/plots" }
        /// The checkpoint of the last completed epoch, or of the position an interrupted run
        /// reached, which `--resume` continues from.
        public var lastCheckpointPath: String { "\(checkpointsPath)/last.ckpt" }
        /// The weights of the epoch with the lowest validation loss so far.
        public var bestWeightsPath: String { "\(weightsPath)/best.safetensors" }
        /// The weights after the last completed epoch.
        public var lastWeightsPath: String { "\(weightsPath)/last.safetensors" }

        public func file(_ name: String) -> String { "\(path)/\(name)" }

        /// Whether a checkpoint is present (a run to resume, or one to protect).
        public var hasCheckpoint: Bool {
            FileManager.default.fileExists(atPath: lastCheckpointPath)
        }
    }

    /// Creates (or reopens, for `--resume`) the folder and takes its lock.
    /// - Parameter minimumFreeBytes: refuse to start when the file system has less free space,
    ///   so a checkpoint cannot run out of room halfway through training.
    public init(path: String, minimumFreeBytes: UInt64) throws {
        layout = Layout(path: path)
        guard path.utf8.count <= Self.maximumPathBytes else {
            throw RunDirectoryError.pathTooLong(path: path, limit: Self.maximumPathBytes)
        }
        for folder in [path, layout.checkpointsPath, layout.weightsPath, layout.plotsPath] {
            try Self.createFolder(folder)
        }
        guard access(path, W_OK) == 0 else {
            throw RunDirectoryError.cannotWrite(path: path, reason: errnoText())
        }
        var stats = statvfs()
        if statvfs(path, &stats) == 0 {
            let free = UInt64(stats.f_bavail) * UInt64(stats.f_frsize)
            guard free >= minimumFreeBytes else {
                throw RunDirectoryError.diskFull(path: path, free: free, needed: minimumFreeBytes)
            }
        }
        let lockPath = layout.file("run.lock")
        lockDescriptor = open(lockPath, O_RDWR | O_CREAT, 0o644)
        guard lockDescriptor >= 0 else { throw RunDirectoryError.cannotWrite(path: lockPath, reason: errnoText()) }
        guard flock(lockDescriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(lockDescriptor)
            lockDescriptor = -1
            throw RunDirectoryError.locked(path: path)
        }
        let owner = "pid \(getpid()) on \(ProcessInfo.processInfo.hostName)\n"
        ftruncate(lockDescriptor, 0)
        _ = owner.withCString { Foundation.write(lockDescriptor, $0, strlen($0)) }
    }

    /// The longest run directory path: its files' paths (`checkpoints/last.ckpt.partial-<pid>`
    /// and the like) must stay within the system's PATH_MAX. Refusing a longer one up front
    /// also spares walking tens of thousands of components only to fail at the first file.
    public static let maximumPathBytes = Int(PATH_MAX) - 1 - 256

    /// mkdir -p, top folder first, with the system's own reason when it fails.
    private static func createFolder(_ path: String) throws {
        var folder = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            folder += component
            var status = stat()
            if stat(folder, &status) == 0 {
                guard status.st_mode & S_IFMT == S_IFDIR else {
                    throw RunDirectoryError.cannotCreate(path: folder, reason: "a file of that name exists")
                }
            } else if mkdir(folder, 0o755) != 0 && errno != EEXIST {
                throw RunDirectoryError.cannotCreate(path: folder, reason: errnoText())
            }
            folder += "/"
        }
    }

    deinit {
        if lockDescriptor >= 0 {
            flock(lockDescriptor, LOCK_UN)
            close(lockDescriptor)
        }
    }

    public func write(_ text: String, to name: String) throws {
        try write(Data(text.utf8), to: name)
    }

    public func write(_ data: Data, to name: String) throws {
        do {
            try AtomicFile.write(data, to: layout.file(name))
        } catch let FileWriteError.cannotWrite(path, reason) {
            throw RunDirectoryError.cannotWrite(path: path, reason: reason)
        }
    }
}

public enum RunDirectoryError: Error, CustomStringConvertible {
    case cannotCreate(path: String, reason: String)
    case pathTooLong(path: String, limit: Int)
    case cannotWrite(path: String, reason: String)
    case diskFull(path: String, free: UInt64, needed: UInt64)
    case locked(path: String)
    case existingRun(path: String)

    public var description: String {
        switch self {
        case .cannotCreate(let path, let reason):
            return "cannot create run directory \(path): \(reason); choose another with --run-dir"
        case .pathTooLong(let path, let limit):
            return "cannot create run directory \(path.prefix(60))…: its path is \(path.utf8.count) bytes long, over the \(limit) a run directory may have (the system's PATH_MAX, less room for the run's file names); choose a shorter --run-dir"
        case .cannotWrite(let path, let reason):
            return "cannot write \(path): \(reason); check permissions and free space, or choose another --run-dir"
        case .diskFull(let path, let free, let needed):
            return "only \(free / 1_000_000) MB free where \(path) lives; a run needs at least \(needed / 1_000_000) MB for checkpoints and weights; free some space or choose another --run-dir"
        case .locked(let path):
            return "another bstrain run is using \(path) (see \(path)/run.lock); wait for it to finish or choose another --run-dir"
        case .existingRun(let path):
            return "\(path) already holds a run (checkpoints/last.ckpt); continue it with --resume \(path), or pass --overwrite to start again there, or choose another --run-dir"
        }
    }
}

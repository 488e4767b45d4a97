import Foundation

/// Writes files so that a reader (or a resumed run after a crash) sees either the old content
/// or the new, never half of it: temporary file in the same folder, fsync, rename, fsync of
/// the folder.
public enum AtomicFile {
    public static func write(_ data: Data, to path: String) throws(FileWriteError) {
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = "\(path).partial-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw FileWriteError.cannotWrite(path: path, reason: errnoText()) }
        var failure: String?
        data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = errnoText()
                    return
                }
                offset += written
            }
        }
        if failure == nil, fsync(descriptor) != 0 { failure = errnoText() }
        close(descriptor)
        if let failure {
            unlink(temporary)
            throw FileWriteError.cannotWrite(path: path, reason: failure)
        }
        guard rename(temporary, path) == 0 else {
            let reason = errnoText()
            unlink(temporary)
            throw FileWriteError.cannotWrite(path: path, reason: reason)
        }
        let directoryDescriptor = open(directory.isEmpty ? "." : directory, O_RDONLY)
        if directoryDescriptor >= 0 {
            fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    public static func write(_ text: String, to path: String) throws(FileWriteError) {
        try write(Data(text.utf8), to: path)
    }
}

/// Why a file could not be written, with the system's own reason.
public enum FileWriteError: Error, CustomStringConvertible {
    case cannotWrite(path: String, reason: String)

    /// The system's reason alone, for errors that name the file in their own words.
    public var reason: String {
        switch self {
        case .cannotWrite(_, let reason): reason
        }
    }

    public var description: String {
        switch self {
        case .cannotWrite(let path, let reason):
            "cannot write \(path): \(reason); check permissions and free space, or write elsewhere"
        }
    }
}

/// The C library's message for the current `errno`.
public func errnoText() -> String { String(cString: strerror(errno)) }

import Foundation

/// Reading an image file named in a dataset, which may be anything a path can name.
enum RegularFile {
    /// The bytes of the regular file at `path` (through links). Anything else is refused before
    /// it is opened: opening a FIFO waits for a writer that may never come, and a device such
    /// as /dev/zero never ends. The open itself does not block either, should the path be
    /// replaced by a FIFO in between.
    static func contents(of path: String) throws(DatasetError) -> Data {
        var status = stat()
        guard stat(path, &status) == 0 else { throw unreadable(path) }
        guard status.st_mode & S_IFMT == S_IFREG else { throw .notRegularFile(path: path, kind: kind(status.st_mode)) }
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw unreadable(path) }
        defer { close(descriptor) }
        guard fstat(descriptor, &status) == 0 else { throw unreadable(path) }
        guard status.st_mode & S_IFMT == S_IFREG else { throw .notRegularFile(path: path, kind: kind(status.st_mode)) }
        var bytes = Data(count: Int(status.st_size))
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { buffer in
                read(descriptor, buffer.baseAddress! + filled, buffer.count - filled)
            }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw unreadable(path) }
            if count == 0 { break }  // the file shrank while being read
            filled += count
        }
        bytes.count = filled
        return bytes
    }

    private static func unreadable(_ path: String) -> DatasetError {
        .unreadableFile(path: path, reason: String(cString: strerror(errno)))
    }

    private static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: return "a named pipe (FIFO)"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        case S_IFDIR: return "a folder"
        default: return "a special file"
        }
    }
}

import Foundation

/// Writes `text` to standard error and ignores failure. `FileHandle.write` traps when the
/// write fails (standard error on a full disk, `2>/dev/full`, a closed pipe), which would turn
/// a message into a crash; and when standard error itself fails there is nowhere left to
/// report it.
public func writeToStandardError(_ text: String) {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
        let written = bytes.withUnsafeBytes { Foundation.write(STDERR_FILENO, $0.baseAddress, $0.count) }
        if written < 0 && errno == EINTR { continue }
        guard written > 0 else { return }
        bytes = bytes.dropFirst(written)
    }
}

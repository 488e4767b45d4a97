import Foundation

/// Runs `body` with the path of a temporary file holding the fuzzer's input, for loaders that
/// take a path rather than bytes; the file is removed afterwards. The name carries the process
/// id, since libFuzzer's -jobs and -fork run several processes side by side.
public func withInputFile<Result>(
    _ data: UnsafePointer<UInt8>, _ size: Int, named name: String, _ body: (String) throws -> Result
) rethrows -> Result {
    let path = URL(fileURLWithPath: NSTemporaryDirectory())
        .appendingPathComponent("bstrain-fuzz-\(getpid())-\(name)").path
    // Plain stdio: FileManager.createFile writes atomically and waits for the disk, which
    // would cap a run at about a hundred inputs a second.
    guard let file = fopen(path, "wb"), fwrite(data, 1, size, file) == size, fclose(file) == 0 else {
        fatalError("fuzz: cannot write the input to \(path)")
    }
    defer { unlink(path) }
    return try body(path)
}

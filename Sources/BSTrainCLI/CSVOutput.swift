import Data
import Foundation

/// A command's CSV on standard output, or written to `out` followed by `summary` (`embed`, `retrieve`).
func writeCSV(_ csv: String, to out: String?, summary: @autoclosure () -> String) throws {
    guard let out else {
        print(csv, terminator: "")
        return
    }
    do {
        try Data(csv.utf8).write(to: URL(fileURLWithPath: out), options: .atomic)
    } catch {
        throw DatasetError.unwritableFile(path: out, reason: error.localizedDescription)
    }
    print("\(summary()) to \(out)")
}

import Data
import Foundation
import FuzzSupport

/// The dataset a clusters.csv must describe: four images in two classes of two groups each,
/// small enough that the fuzzer can spell a matching file and reach the group checks.
let folder = ImageFolder(
    root: URL(fileURLWithPath: "/fuzz"), classNames: ["a", "b"],
    images: [
        LabeledImage(path: "a/1.jpg", label: 0), LabeledImage(path: "a/2.jpg", label: 0),
        LabeledImage(path: "b/1.jpg", label: 1), LabeledImage(path: "b/2.jpg", label: 1),
    ])

/// Splits the input with `CSV.rows` (table.csv of `bstrain compare` is read this way), then
/// reads it as a run's clusters.csv with `ClusterAssignment.read`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = CSV.rows(String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self))
    withInputFile(data, size, named: "clusters.csv") { path in
        _ = try? ClusterAssignment.read(from: URL(fileURLWithPath: path), matching: folder, groupsPerClass: [2, 2])
    }
    return 0
}

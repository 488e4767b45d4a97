import Data
import FuzzSupport

/// Reads the input as both files of `bstrain loss`: the embeddings matrix and the labels.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    withInputFile(data, size, named: "values.csv") { path in
        _ = try? NumericCSV.readMatrix(path)
        _ = try? NumericCSV.readLabels(path)
    }
    return 0
}

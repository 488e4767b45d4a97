import FuzzSupport
import Training

/// Loads the input as `bstrain train --config FILE` does: Yams composes it, the keys are
/// checked, then it is decoded into a `TrainingConfiguration`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    withInputFile(data, size, named: "config.yaml") { path in
        _ = try? TrainingConfiguration.load(yamlFile: path)
    }
    return 0
}

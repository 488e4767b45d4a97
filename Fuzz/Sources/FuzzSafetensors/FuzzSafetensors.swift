import Engine
import Foundation
import Inference

/// Opens the input as a safetensors file (weights and checkpoints alike go through
/// `SafetensorsFile`), copies out every tensor as `Executor.load` and `Checkpoint.read` do,
/// and checks its metadata as `bstrain predict`, `eval` and `embed` do before building a model.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let file = try? SafetensorsFile(Data(bytes: data, count: size), path: "input.safetensors") else { return 0 }
    for name in file.tensors.keys { _ = try? file.floats(name) }
    _ = try? WeightsMetadata(file.metadata, path: file.path)
    return 0
}

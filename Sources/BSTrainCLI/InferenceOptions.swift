import ArgumentParser
import Data
import Foundation
import Inference
import Support
import Training

/// The options `eval`, `predict` and `embed` share: which weights, and how to run them.
struct InferenceOptions: ParsableArguments {
    @Option(help: "Weights written by 'bstrain train' (RUN_DIR/weights/best.safetensors).")
    var weights: String

    @Option(help: "Images per forward pass.")
    var batch = 36

    @Option(help: "Threads for decoding, the engine and OpenBLAS (default: all cores).")
    var threads: Int?

    @Option(help: ArgumentHelp(Self.maxImagePixelsHelp))
    var maxImagePixels = JPEG.defaultMaximumPixels

    /// Help of --max-image-pixels, which every command that decodes images has.
    static let maxImagePixelsHelp = """
        Refuse an image whose header declares more pixels than this, before decoding it: a few \
        bytes can declare gigabytes (a decompression bomb). The default is Pillow's limit.
        """

    func validate() throws {
        guard (1...OptionLimits.largestBatch).contains(batch) else {
            throw ValidationError("--batch must be from 1 to \(OptionLimits.largestBatch), got \(batch)")
        }
        if let threads, !(1...OptionLimits.largestThreads).contains(threads) {
            throw ValidationError("--threads must be from 1 to \(OptionLimits.largestThreads), got \(threads)")
        }
    }

    var threadCount: Int { threads ?? ProcessInfo.processInfo.activeProcessorCount }

    /// The weights opened and their network built for batches of `batch`.
    func open() throws -> TrainedModel {
        try TrainedModel(weightsPath: weights, batchCapacity: batch)
    }
}

import ArgumentParser
import Benchmarks
import Losses
import Networks

/// The options of the training step that `bench --model` and `bench-dist` time, declared once
/// for both (`bench --ops` also reads the image size, channels and threads).
struct StepBenchmarkOptions: ParsableArguments {
    @Option(help: "Image side in pixels (a multiple of 32, as the network's five stride-2 stages need).")
    var imageSize = 128

    @Option(help: "Image channels: 1 (grey) or 3 (colour).")
    var channels = 1

    @Option(help: "Classes of the timed training step's classifier head.")
    var classes = 2

    @Option(help: "Loss of the timed training step: ce, ce+bst, ce+triplet or ce+lifted.")
    var loss: LossKind = .crossEntropyPlusBST

    @Option(help: "Threads per rank for OpenBLAS and the engine's direct loops.")
    var threads = 1

    @Option(help: "Timed training steps.")
    var steps = 10

    @Option(help: "Untimed training steps before the timed ones.")
    var warmup = 3

    func validate() throws {
        guard imageSize >= 32, imageSize % 32 == 0 else {
            throw ValidationError("--image-size must be a positive multiple of 32, got \(imageSize)")
        }
        guard channels == 1 || channels == 3 else { throw ValidationError("--channels must be 1 or 3, got \(channels)") }
        guard classes >= 2 else { throw ValidationError("--classes must be at least 2, got \(classes)") }
        guard threads > 0 else { throw ValidationError("--threads must be positive, got \(threads)") }
        guard steps > 0 else { throw ValidationError("--steps must be positive, got \(steps)") }
        guard warmup >= 0 else { throw ValidationError("--warmup must be 0 or more, got \(warmup)") }
    }

    /// The step these options describe, for `network` at `batch` samples per step.
    func settings(network: NetworkKind, batch: Int) throws -> StepBenchmarkSettings {
        StepBenchmarkSettings(
            network: network, batch: batch, imageSize: imageSize, channels: channels, classes: classes,
            loss: try LossConfiguration(kind: loss), threads: threads, steps: steps, warmUp: warmup)
    }
}

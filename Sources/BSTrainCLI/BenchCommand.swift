import ArgumentParser
import Benchmarks
import Engine
import Foundation
import Networks
import Reports
import Training

/// `bstrain bench`: times the full training step of a network (`--model`), or the engine's
/// operations one by one (`--ops`).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time the training step of a network, or the engine's operations one by one.",
        discussion: """
            --model NAME times the full training step as `bstrain train` runs it on one rank \
            (zeroing gradients, forward, cross-entropy plus the metric loss, backward, Adam) on \
            random images after --warmup untimed steps, and prints the median and spread of the \
            step time, images/s, GFLOP/s (3 x the forward multiply-accumulates of convolutions \
            and linear layers x 2 FLOP: forward, input gradient and weight gradient), the peak \
            resident memory, and where the time goes by operation kind, from separate profiled \
            steps (the per-node timers add a little, so the headline comes from unprofiled steps).

            --ops times the main operations of MobileNet-V3-Small (and the pooling of ShuffleNet-V2 \
            and PeleeNet) at the shapes they have for the given batch and image size: the median of \
            --repeats runs after a warm-up, with GFLOP/s = 2 x multiply-accumulates / time. Backward \
            counts the weight gradient and, except on the image, the input gradient.

            The first line names the OpenBLAS kernel family in use: a generic one (Prescott) on a \
            recent CPU means SGEMM runs several times slower than it can.
            """)

    @Option(help: "Time the full training step of this network.")
    var model: NetworkKind?

    @Flag(help: "Time the main operations one by one.")
    var ops = false

    @Option(help: "Samples per step (--model) or per call (--ops).")
    var batch = 36

    @OptionGroup var step: StepBenchmarkOptions

    @Option(help: "Profiled training steps for the per-operation breakdown (--model).")
    var profiledSteps = 3

    @Option(help: "Timed runs per operation and direction (--ops); the median is reported.")
    var repeats = 10

    @Flag(help: "Print one JSON object instead of text (--model; for Scripts/bench-vs-pytorch).")
    var json = false

    func validate() throws {
        guard ops != (model != nil) else {
            throw ValidationError("say what to time: --model NAME times a training step, --ops the engine's operations one by one (one of the two)")
        }
        guard batch > 0 else { throw ValidationError("--batch must be positive, got \(batch)") }
        if model != nil {
            guard batch >= 2 else { throw ValidationError("--batch must be at least 2 for a training step (the metric loss compares samples), got \(batch)") }
        }
        guard profiledSteps >= 0 else { throw ValidationError("--profiled-steps must be 0 or more, got \(profiledSteps)") }
        guard repeats > 0 else { throw ValidationError("--repeats must be positive, got \(repeats)") }
    }

    func run() throws {
        if let model {
            try benchmarkStep(of: model)
        } else {
            benchmarkOperations()
        }
    }

    private func benchmarkStep(of network: NetworkKind) throws {
        let benchmark = try TrainingStepBenchmark(
            try step.settings(network: network, batch: batch), profiledSteps: profiledSteps)
        let result = try benchmark.run()
        let report = StepBenchmarkReport(result: result, coreName: BLAS.coreName)
        if json {
            print(try report.json())
        } else {
            report.lines().forEach { print($0) }
        }
    }

    private func benchmarkOperations() {
        BLAS.setThreads(step.threads)
        print("OpenBLAS core \(BLAS.coreName), \(step.threads) thread(s), batch \(batch), "
              + "\(step.imageSize)x\(step.imageSize)x\(step.channels) images, median of \(repeats)")
        var rows = [["operation", "input", "output", "forward ms", "GFLOP/s", "backward ms", "GFLOP/s"]]
        for benchmark in mobileNetV3SmallOperations() {
            let seconds = benchmark.measure(batch: batch, repeats: repeats, threads: step.threads)
            rows.append([
                benchmark.label, "\(benchmark.operation.inputShapes[0])", "\(benchmark.operation.outputShape)",
                milliseconds(seconds.forward), rate(benchmark.operation.multiplyAccumulates(batch: batch), seconds.forward),
                milliseconds(seconds.backward), rate(benchmark.backwardMultiplyAccumulates(batch: batch), seconds.backward),
            ])
        }
        textTable(rows).forEach { print($0) }
    }

    /// The operations that dominate MobileNet-V3-Small (torchvision's layer table, block by
    /// block), then the pooling layers of ShuffleNet-V2 and PeleeNet.
    private func mobileNetV3SmallOperations() -> [OperationBenchmark] {
        func shape(_ divisor: Int, _ channels: Int) -> TensorShape {
            TensorShape(height: step.imageSize / divisor, width: step.imageSize / divisor, channels: channels)
        }
        func convolution(_ input: TensorShape, _ outputs: Int, kernel: Int = 1, stride: Int = 1) -> Convolution {
            Convolution(inputShape: input, outputChannels: outputs, kernelSize: kernel, stride: stride,
                        padding: (kernel - 1) / 2)
        }
        func depthwise(_ input: TensorShape, kernel: Int, stride: Int) -> DepthwiseConvolution {
            DepthwiseConvolution(inputShape: input, kernelSize: kernel, stride: stride, padding: (kernel - 1) / 2)
        }
        func timed(_ label: String, _ operation: any Engine.Operation, image: Bool = false) -> OperationBenchmark {
            OperationBenchmark(label: label, operation: operation, needsInputGradient: !image)
        }
        return [
            timed("features.0 conv 3x3 s2", convolution(shape(1, step.channels), 16, kernel: 3, stride: 2), image: true),
            timed("features.1 depthwise 3x3 s2", depthwise(shape(2, 16), kernel: 3, stride: 2)),
            timed("features.2 expand 1x1", convolution(shape(4, 16), 72)),
            timed("features.2 depthwise 3x3 s2", depthwise(shape(4, 72), kernel: 3, stride: 2)),
            timed("features.2 project 1x1", convolution(shape(8, 72), 24)),
            timed("features.5 expand 1x1", convolution(shape(16, 40), 240)),
            timed("features.5 depthwise 5x5", depthwise(shape(16, 240), kernel: 5, stride: 1)),
            timed("features.5 project 1x1", convolution(shape(16, 240), 40)),
            timed("features.9 depthwise 5x5 s2", depthwise(shape(16, 288), kernel: 5, stride: 2)),
            timed("features.12 conv 1x1", convolution(shape(32, 96), 576)),
            timed("avgpool global", GlobalAveragePool(inputShape: shape(32, 576))),
            timed("classifier.0 linear", Linear(inputShape: .vector(576), outputFeatures: 1024)),
            timed("ShuffleNet-V2 max pool 3x3 s2", MaxPool(inputShape: shape(2, 24), kernelSize: 3, stride: 2, padding: 1)),
            timed("PeleeNet average pool 2x2 s2", AveragePool(inputShape: shape(4, 128), kernelSize: 2, stride: 2)),
        ]
    }

    private func milliseconds(_ seconds: Double) -> String { String(format: "%.3f", seconds * 1e3) }

    /// GFLOP/s at two floating-point operations per multiply-accumulate; "-" for pooling.
    private func rate(_ multiplyAccumulates: Int, _ seconds: Double) -> String {
        multiplyAccumulates == 0 ? "-" : String(format: "%.1f", 2 * Double(multiplyAccumulates) / seconds / 1e9)
    }
}

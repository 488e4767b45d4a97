import ArgumentParser
import Benchmarks
import Distributed
import Foundation
import Networks
import Training

/// `bstrain bench-dist`: compute against communication time of distributed training steps.
struct DistributedBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-dist",
        abstract: "Time distributed training steps on random images: compute vs communication per step.",
        discussion: """
            Start it under mpirun with the rank count to measure (Scripts/bench-dist runs 1, 2 and 4 \
            ranks and prints the parallel efficiency). Each step is a real training step: forward on \
            this rank's slice of the global batch, the embeddings all-gathered for the metric loss, \
            backward with the gradient all-reduced in --bucket-mb buckets while backward runs, then \
            Adam. Compute is time spent outside communication calls; communication is time inside \
            them (gathers, starting and waiting for the buckets, the loss sum), averaged over ranks. \
            Images/s is the global batch over the wall-clock step time.
            """)

    @Option(help: "Network.")
    var model: NetworkKind = .mobileNetV3Small
    @Option(help: "Global batch N_b, split over the ranks.")
    var batch = 36
    @OptionGroup var step: StepBenchmarkOptions
    @Option(name: .customLong("bucket-mb"), help: "Size of the gradient all-reduce buckets in MB.")
    var bucketMegabytes: Double = 4
    @Flag(help: "Batch-norm statistics over the global batch (their reductions count as compute).")
    var syncBn = false
    @Flag(help: "Print one JSON object instead of text (for Scripts/bench-dist).")
    var json = false

    func validate() throws {
        guard bucketMegabytes > 0 else { throw ValidationError("--bucket-mb must be positive, got \(bucketMegabytes)") }
    }

    func run() throws {
        try runOnEveryRank { communicator in
            let placement = try communicator.placementSummary()
            let benchmark = DistributedStepBenchmark(
                try step.settings(network: model, batch: batch),
                bucketFloats: Int(bucketMegabytes * 1_000_000 / 4), synchronizedBatchNorm: syncBn)
            let result = try benchmark.run(communicator: communicator)
            guard communicator.isRoot else { return }
            let oversubscription = oversubscriptionNote(ranks: communicator.worldSize)
            if json {
                let fields: [String: Any] = [
                    "ranks": result.ranks, "placement": placement, "model": model.rawValue, "batch": batch,
                    "image_size": step.imageSize, "threads": step.threads, "steps": result.steps,
                    "step_ms": result.stepSeconds * 1e3, "compute_ms": result.computeSeconds * 1e3,
                    "communication_ms": result.communicationSeconds * 1e3, "images_per_second": result.imagesPerSecond,
                    "oversubscribed": oversubscription ?? "",
                ]
                let data = try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                print("\(placement); \(model.rawValue), global batch \(batch), \(step.imageSize) px, \(step.threads) thread(s) per rank")
                print(String(
                    format: "per step: %.1f ms wall, %.1f ms compute, %.1f ms communication; %.1f images/s",
                    result.stepSeconds * 1e3, result.computeSeconds * 1e3, result.communicationSeconds * 1e3,
                    result.imagesPerSecond))
                if let oversubscription { print("note: \(oversubscription)") }
            }
        }
    }

    /// Says so when this node runs more threads than it has cores, which makes timings meaningless
    /// for scaling (ranks take turns on the cores).
    private func oversubscriptionNote(ranks: Int) -> String? {
        let environment = ProcessInfo.processInfo.environment
        let localRanks = environment["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap(Int.init) ?? ranks
        let cores = ProcessInfo.processInfo.activeProcessorCount
        guard localRanks * step.threads > cores else { return nil }
        return "oversubscribed: \(localRanks) rank(s) x \(step.threads) thread(s) on \(cores) core(s); ranks share cores, so this measures contention, not scaling"
    }
}

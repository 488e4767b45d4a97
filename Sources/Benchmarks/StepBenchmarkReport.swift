import Engine
import Foundation
import Reports
import Training

/// What `bstrain bench --model` prints: a few lines of text with a breakdown table, or one
/// JSON object for scripts.
public struct StepBenchmarkReport {
    public let result: TrainingStepBenchmark.Result
    /// The OpenBLAS kernel family in use.
    public let coreName: String

    public init(result: TrainingStepBenchmark.Result, coreName: String) {
        self.result = result
        self.coreName = coreName
    }

    public func lines() -> [String] {
        let settings = result.settings
        let profiled = result.profiledStepSeconds
        var lines = [
            "OpenBLAS core \(coreName), \(settings.threads) thread(s); \(settings.network.rawValue), "
                + "\(result.parameterCount) parameters, batch \(settings.batch), "
                + "\(settings.imageSize)x\(settings.imageSize)x\(settings.channels) images, \(settings.classes) classes, "
                + "loss \(settings.loss.kind.rawValue)",
            String(format: "step: median %.1f ms (quartiles %.1f-%.1f, min %.1f, max %.1f) over %d steps after %d warm-up",
                   milliseconds(result.medianSeconds), milliseconds(result.quantile(0.25)),
                   milliseconds(result.quantile(0.75)), milliseconds(result.stepSeconds.first!),
                   milliseconds(result.stepSeconds.last!), result.stepSeconds.count, settings.warmUp),
            String(format: "throughput: %.1f images/s, %.1f GFLOP/s (%.2f GMAC forward x 3 passes x 2 FLOP, convolutions and linear layers)",
                   result.imagesPerSecond, result.gigaflopsPerSecond, Double(result.forwardMultiplyAccumulates) / 1e9),
            String(format: "memory: peak resident %.1f MiB; the peak grew %.1f MiB during the timed steps",
                   mebibytes(result.peakResidentBytes), mebibytes(result.peakGrowthDuringStepsBytes)),
        ]
        guard profiled > 0 else { return lines }
        lines.append(String(format: "breakdown of a profiled step (%.1f ms, mean of %d, per-node timers on):",
                            milliseconds(profiled), result.profiledSteps))
        var rows = [["part", "forward ms", "backward ms", "total ms", "share"]]
        for share in result.breakdown {
            // Forward and backward apply to the network's operations, not to the step's own parts.
            let isOperation = OperationKind(rawValue: share.part) != nil
            rows.append([
                share.part, isOperation ? String(format: "%.2f", milliseconds(share.forwardSeconds)) : "-",
                isOperation ? String(format: "%.2f", milliseconds(share.backwardSeconds)) : "-",
                String(format: "%.2f", milliseconds(share.seconds)),
                String(format: "%.1f%%", 100 * share.seconds / profiled),
            ])
        }
        return lines + textTable(rows).map { "  " + $0 }
    }

    public func json() throws -> String {
        let settings = result.settings
        let fields: [String: Any] = [
            "model": settings.network.rawValue, "batch": settings.batch, "image_size": settings.imageSize,
            "channels": settings.channels, "classes": settings.classes, "threads": settings.threads,
            "loss": settings.loss.kind.rawValue, "openblas_core": coreName, "parameters": result.parameterCount,
            "step_ms": result.stepSeconds.map(milliseconds), "median_ms": milliseconds(result.medianSeconds),
            "images_per_second": result.imagesPerSecond, "gflops": result.gigaflopsPerSecond,
            "peak_rss_mib": mebibytes(result.peakResidentBytes),
            "peak_growth_mib": mebibytes(result.peakGrowthDuringStepsBytes),
            "breakdown_ms": Dictionary(uniqueKeysWithValues: result.breakdown.map { ($0.part, milliseconds($0.seconds)) }),
        ]
        let data = try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    private func milliseconds(_ seconds: Double) -> Double { seconds * 1e3 }
    private func mebibytes(_ bytes: Int) -> Double { Double(bytes) / 1_048_576 }
}

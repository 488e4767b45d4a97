import Foundation
import Reports
import Support

/// How rank 0 reports progress: a live bar and epoch lines for people, one JSON object per
/// line for scripts and clusters, or epoch lines only.
public enum LogFormat: String, CaseIterable, Sendable {
    case text
    case jsonl
    case quiet
}

/// Rank 0's progress display. Everything it prints (but the live bar) also goes to log.txt.
final class ProgressDisplay {
    let format: LogFormat
    private let live: Bool
    private var logFile: FileHandle?
    /// Lines shown before log.txt is attached, which happens only once every check of the run
    /// has passed (a refused command writes nothing into the run directory); nil once attached.
    private var linesBeforeLog: [String]? = []
    private var epochStart = Date()
    private var lastDraw = Date.distantPast

    init(format: LogFormat) {
        self.format = format
        live = format == .text && Self.outputReachesTerminal
    }

    /// Whether what this process prints reaches a terminal. Under mpirun a rank's stdout is a
    /// pseudo-terminal even when mpirun's own output goes to a job log or a pipe, so there the
    /// answer is mpirun's: the parent of rank 0, which runs on the node mpirun started on.
    static var outputReachesTerminal: Bool {
        let underMPI = ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_SIZE"] != nil
        return reachesTerminal(
            standardOutputIsTerminal: isatty(STDOUT_FILENO) == 1, underMPI: underMPI,
            launcherOutput: underMPI ? try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(getppid())/fd/1") : nil)
    }

    /// - Parameter launcherOutput: where the launcher's standard output leads (`/dev/pts/3`, a
    ///   file, `pipe:[...]`), nil when it cannot be read.
    static func reachesTerminal(standardOutputIsTerminal: Bool, underMPI: Bool, launcherOutput: String?) -> Bool {
        guard standardOutputIsTerminal else { return false }
        guard underMPI else { return true }
        guard let launcherOutput else { return false }
        return launcherOutput.hasPrefix("/dev/pts/") || launcherOutput.hasPrefix("/dev/tty")
    }

    func attachLog(path: String) {
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
        }
        logFile = FileHandle(forWritingAtPath: path)
        _ = try? logFile?.seekToEnd()
        let earlier = linesBeforeLog ?? []
        linesBeforeLog = nil
        for line in earlier { writeLog(line) }
    }

    /// A line for people (banner, warnings, results); in jsonl mode wrapped as a message event.
    func message(_ text: String) {
        switch format {
        case .text, .quiet: emit(text)
        case .jsonl: emit(json(["event": "message", "text": text]))
        }
    }

    func warning(_ text: String) {
        writeToStandardError("bstrain: warning: \(text)\n")
        writeLog("warning: \(text)")
    }

    func startEpoch() { epochStart = Date() }

    /// The live bar: redrawn at most 10 times a second, only on a terminal.
    func iteration(epoch: Int, epochs: Int, iteration: Int, iterations: Int, images: Int, losses: StepLosses, timings: StepTimings, metricName: String?, learningRate: Double) {
        guard live else {
            if format == .jsonl {
                emit(json([
                    "event": "iteration", "epoch": epoch + 1, "iteration": iteration + 1, "loss": losses.total,
                    "ce": losses.crossEntropy, "dml": losses.metric, "lr": learningRate,
                    "step_ms": timings.totalSeconds * 1000, "communication_ms": timings.communicationSeconds * 1000,
                ]))
            }
            return
        }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) > 0.1 || iteration + 1 == iterations else { return }
        lastDraw = now
        let elapsed = now.timeIntervalSince(epochStart)
        let done = Double(iteration + 1) / Double(iterations)
        let width = 24
        let filled = Int(done * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let eta = elapsed / done - elapsed
        var parts = "epoch \(epoch + 1)/\(epochs) \(bar) \(iteration + 1)/\(iterations)"
        parts += String(format: "  %.0f img/s  ETA %@  loss %.4f (ce %.4f", Double(images) / max(elapsed, 1e-9), duration(eta), losses.total, losses.crossEntropy)
        if let metricName { parts += String(format: " %@ %.4f", metricName, losses.metric) }
        parts += String(format: ")  lr %.2g", learningRate)
        print("\r\(parts)\u{1B}[K", terminator: "")
        fflush(nil)
    }

    func endEpoch(_ row: HistoryRow, epochs: Int, metricName: String?, note: String) {
        if live { print("\r\u{1B}[K", terminator: "") }
        switch format {
        case .text, .quiet:
            var line = String(format: "epoch %3d/%d  train %.4f", row.epoch, epochs, row.trainLoss)
            if let metricName { line += String(format: " (ce %.4f %@ %.4f)", row.trainCrossEntropy, metricName, row.trainMetric) }
            line += String(format: "  val %.4f  acc %.4f", row.validationLoss, row.validationAccuracy)
            if let auc = row.validationAUC { line += String(format: "  auc %.4f", auc) }
            line += String(format: "  lr %.2g  %.1f s", row.learningRate, row.seconds)
            if !note.isEmpty { line += "  \(note)" }
            emit(line)
        case .jsonl:
            var object: [String: Any] = [
                "event": "epoch", "epoch": row.epoch, "lr": row.learningRate, "train_loss": row.trainLoss,
                "train_ce": row.trainCrossEntropy, "train_dml": row.trainMetric, "val_loss": row.validationLoss,
                "val_ce": row.validationCrossEntropy, "val_dml": row.validationMetric, "val_acc": row.validationAccuracy,
                "seconds": row.seconds, "note": note,
            ]
            if let auc = row.validationAUC { object["val_auc"] = auc }
            emit(json(object))
        }
    }

    func result(_ object: [String: Any], text: String) {
        format == .jsonl ? emit(json(object.merging(["event": "result"]) { $1 })) : emit(text)
    }

    private func emit(_ line: String) {
        print(line)
        fflush(nil)
        writeLog(line)
    }

    /// A log that cannot be written (a full disk) stops with one warning; the run goes on, and
    /// its checkpoint writes, which are atomic, report a full disk themselves.
    private func writeLog(_ line: String) {
        guard let logFile else {
            linesBeforeLog?.append(line)
            return
        }
        do {
            try logFile.write(contentsOf: Data("\(line)\n".utf8))
        } catch {
            self.logFile = nil
            warning("cannot write log.txt (\(error.localizedDescription)); the log stops here, progress still shows here")
        }
    }

    private func json(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    private func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "--:--" }
        let total = Int(seconds.rounded())
        return String(format: "%d:%02d", total / 60, total % 60)
    }
}

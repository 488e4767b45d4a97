import ArgumentParser
import Foundation
import Support
import Training

/// `bstrain report`: report.html for a finished run, as `train` writes it at the end.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write report.html in a finished run's directory: one self-contained page to read the run by.",
        discussion: """
            The page holds the configuration, the metrics with their 95% intervals, the loss curves, \
            ROC, confusion matrix, reliability diagram and embedding PCA the run drew, and a gallery \
            of the test split's most confident errors with the Grad-CAM of the class called (from \
            the run's best weights and its test folder). Figures and images are inside the file, \
            so it opens offline in any browser. 'bstrain train' writes it at the end of each run; \
            this command writes it for runs made before, or again.
            """)

    @Argument(help: "A run directory written by 'bstrain train'.")
    var runDirectory: String

    @Option(help: "How many of the most confident test errors the gallery shows.")
    var gallery = RunPage.galleryDefault

    @Option(help: "Threads for decoding and Grad-CAM (default: all cores).")
    var threads: Int?

    func validate() throws {
        guard (0...OptionLimits.largestBatch).contains(gallery) else {
            throw ValidationError("--gallery must be from 0 to \(OptionLimits.largestBatch), got \(gallery)")
        }
        if let threads, !(1...OptionLimits.largestThreads).contains(threads) {
            throw ValidationError("--threads must be from 1 to \(OptionLimits.largestThreads), got \(threads)")
        }
    }

    func run() throws {
        let page = RunPage(run: runDirectory)
        let path = try page.write(threads: threads ?? ProcessInfo.processInfo.activeProcessorCount, galleryCount: gallery)
        print("wrote \(path)")
    }
}

import ArgumentParser
import Data
import Foundation
import Networks
import Support
import Training

/// `bstrain embed`: the embeddings of a labelled folder as CSV, for other tools.
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Write the embeddings of a labelled folder's images as CSV: path, label, f0 ... f<l-1>.",
        discussion: """
            The embedding is the globally pooled feature vector that feeds the classifier, the vector \
            the metric loss compares; its width l per network: \
            \(NetworkKind.allCases.map { "\($0.rawValue) \($0.embeddingWidth)" }.joined(separator: ", ")). DIR holds one subfolder of \
            JPEG or PNG images per class; its classes need not be the trained ones. Paths in the CSV are DIR joined \
            with each image's path in it; label is its class folder's name.
            """)

    @OptionGroup var options: InferenceOptions

    @Argument(help: "Images: a folder with one subfolder of JPEG or PNG images per class.")
    var directory: String

    @Option(help: "CSV file to write (default: standard output).")
    var out: String?

    @Flag(help: "Leave out bad images (corrupt, or neither JPEG nor PNG) (listed on stderr) instead of stopping.")
    var skipBad = false

    func run() throws {
        let trained = try options.open()
        let folder = try ImageFolder.scan(URL(fileURLWithPath: directory))
        let inference = try trained.infer(folder, threads: options.threadCount, maximumPixels: options.maxImagePixels)
        if let first = inference.failures.first, !skipBad { throw first.error }
        for failure in inference.failures {
            writeToStandardError("bstrain: warning: skipped \(failure.error)\n")
        }
        let csv = inference.embeddingCSV(root: directory, classNames: folder.classNames)
        try writeCSV(csv, to: out, summary: "wrote \(inference.images.count) embeddings of width \(inference.embeddingWidth)")
    }
}

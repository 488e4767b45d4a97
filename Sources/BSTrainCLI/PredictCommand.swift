import ArgumentParser
import Foundation
import Inference
import Support
import Training

/// `bstrain predict`: class probabilities of unlabelled images.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Print the class probabilities and the predicted class of each image, as CSV or JSON.",
        discussion: """
            PATH may be JPEG or PNG files or folders, searched recursively for .jpg/.jpeg/.png files (hidden \
            ones skipped). Images are decoded and resized as in training; the network, classes and \
            input size come from the weights file. The predicted class is the most probable one. \
            A file that cannot be read or decoded is reported on stderr and the others are still \
            predicted; the exit status is then non-zero unless --skip-bad is given. With --classifier \
            knn the "probabilities" are the vote shares of the nearest cases of --index.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case csv, json
    }

    @OptionGroup var options: InferenceOptions

    @Argument(help: "JPEG or PNG files, or folders of them.")
    var paths: [String]

    @Option(help: "csv: path,predicted,<one column per class>; json: an array of {path, predicted, probabilities}.")
    var format: Format = .csv

    @Flag(help: "Exit with status 0 even when some files could not be predicted (they are still reported).")
    var skipBad = false

    @OptionGroup var classifierOptions: ClassifierOptions

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("give at least one image file or folder") }
    }

    func run() throws {
        let trained = try options.open()
        let files = ImageFileList(paths)
        var failed = files.failures.count
        for failure in files.failures { report("\(failure.path): \(failure.reason)") }

        guard !files.paths.isEmpty || !files.failures.isEmpty else {
            throw PredictError.noImages(paths: paths)
        }
        var predictions: [Prediction] = []
        if !files.paths.isEmpty {
            let folder = files.folder
            let inference = try trained.infer(folder, threads: options.threadCount, maximumPixels: options.maxImagePixels)
            for failure in inference.failures { report("\(failure.error)") }
            failed += inference.failures.count
            let classes = trained.metadata.classNames.count
            let scores = try classifierOptions.scores(
                trained: trained, probabilities: inference.probabilities, embeddings: inference.embeddings)
            predictions = inference.images.enumerated().map { index, image in
                Prediction(
                    path: files.givenPath(of: folder.url(of: image).path),
                    probabilities: Array(scores[index * classes..<(index + 1) * classes]),
                    rule: classifierOptions.classifier == .head ? trained.metadata.decisionRule : .argmax)
            }
        }
        switch format {
        case .csv: print(Prediction.csv(predictions, classNames: trained.metadata.classNames), terminator: "")
        case .json: print(try Prediction.json(predictions, classNames: trained.metadata.classNames), terminator: "")
        }
        if failed > 0 {
            report("\(failed) of \(failed + predictions.count) file(s) could not be predicted (listed above)")
            if !skipBad { throw ExitCode.failure }
        }
    }

    private func report(_ message: String) {
        writeToStandardError("bstrain: predict: \(message)\n")
    }
}

/// Why `predict` has nothing to do.
enum PredictError: Error, CustomStringConvertible {
    case noImages(paths: [String])

    var description: String {
        switch self {
        case let .noImages(paths):
            "found no .jpg, .jpeg or .png file in \(paths.joined(separator: ", ")); give image files or folders that hold some"
        }
    }
}

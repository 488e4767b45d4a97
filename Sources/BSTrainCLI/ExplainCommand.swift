import ArgumentParser
import Data
import Foundation
import Inference
import Support

/// `bstrain explain`: Grad-CAM heatmaps of images, overlaid on them, with the probabilities.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Write each image with its Grad-CAM heatmap overlaid, and the class probabilities.",
        discussion: """
            Grad-CAM (Selvaraju et al. 2017) on the network's last convolutional stage: the stage's \
            activations weighted by the spatial mean of the class score's gradient, kept where \
            positive, upsampled bilinearly and scaled to [0, 1], shown from blue (0) to red (1). \
            PATH may be JPEG or PNG files or folders, searched as 'predict' does. Each image is \
            written to --out as NNNN-<name>.jpg at the network's input size (as the network saw \
            it), and explanations.csv lists per image its file, the explained and the predicted \
            class, the heatmap's peak (x, y in those pixels) and the class probabilities. The \
            explained class is the predicted one unless --class names another. A file that \
            cannot be decoded is reported on stderr; the exit status is then non-zero unless \
            --skip-bad is given.
            """)

    @OptionGroup var options: InferenceOptions

    @Argument(help: "JPEG or PNG files, or folders of them.")
    var paths: [String]

    @Option(help: "Folder for the overlays and explanations.csv (created if needed).")
    var out: String

    @Option(name: .customLong("class"), help: "Explain this class (a class name of the weights) in every image, not the predicted one.")
    var explainedClass: String?

    @Flag(help: "Exit with status 0 even when some files could not be explained (they are still reported).")
    var skipBad = false

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("give at least one image file or folder") }
    }

    func run() throws {
        let trained = try options.open()
        let classNames = trained.metadata.classNames
        let fixedClass = try explainedClass.map { name in
            guard let index = classNames.firstIndex(of: name) else {
                throw ValidationError("--class \(name) is not a class of \(trained.path); its classes are \(classNames.joined(separator: ", "))")
            }
            return index
        }
        let files = ImageFileList(paths)
        var failed = files.failures.count
        for failure in files.failures { report("\(failure.path): \(failure.reason)") }
        guard !files.paths.isEmpty else { throw PredictError.noImages(paths: paths) }

        let folder = files.folder
        let (decoded, failures) = try trained.decodeEach(folder, threads: options.threadCount, maximumPixels: options.maxImagePixels)
        for failure in failures { report("\(failure.error)") }
        failed += failures.count
        guard let cache = decoded else {
            report("none of the \(failed) file(s) could be decoded (listed above)")
            throw ExitCode.failure
        }
        let probabilities = try trained.evaluate(cache, threads: options.threadCount).probabilities
        let classCount = classNames.count
        let predicted = trained.metadata.decisionRule.predictedClasses(probabilities, classCount: classCount)
        let explained = fixedClass.map { index in predicted.map { _ in index } } ?? predicted
        let maps = try GradCAM(model: trained.model).maps(cache, classes: explained, threads: options.threadCount)

        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        } catch {
            throw DatasetError.unwritableFile(path: out, reason: error.localizedDescription)
        }
        var csv = CSV.line(["path", "overlay", "explained", "predicted", "peak_x", "peak_y"] + classNames)
        for (index, map) in maps.enumerated() {
            let path = files.givenPath(of: folder.url(of: cache.folder.images[index]).path)
            let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
            let overlayName = String(format: "%04d-%@.jpg", index, name)
            let overlay = HeatmapOverlay.image(cache.image(at: index), map: map)
            try AtomicFile.write(JPEG.encode(overlay, quality: 92), to: (out as NSString).appendingPathComponent(overlayName))
            let peak = GradCAM.peak(of: map, size: cache.imageSize)
            let imageProbabilities = probabilities[index * classCount..<(index + 1) * classCount].map { "\($0)" }
            csv += CSV.line(
                [path, overlayName, classNames[explained[index]], classNames[predicted[index]], "\(peak.x)", "\(peak.y)"] + imageProbabilities)
        }
        let csvPath = (out as NSString).appendingPathComponent("explanations.csv")
        try AtomicFile.write(csv, to: csvPath)
        print("explained \(maps.count) image(s): overlays and \(csvPath)")
        if failed > 0 {
            report("\(failed) of \(failed + maps.count) file(s) could not be explained (listed above)")
            if !skipBad { throw ExitCode.failure }
        }
    }

    private func report(_ message: String) {
        writeToStandardError("bstrain: explain: \(message)\n")
    }
}

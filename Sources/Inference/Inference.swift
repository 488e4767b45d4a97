import Data
import Evaluation
import Foundation

/// Class probabilities and embeddings of a set of images, whatever their labels: they may
/// have none, or classes the model was not trained on (`predict`, `embed`).
public struct Inference {
    /// The images that decoded, in the folder's order, with their labels from the folder.
    public let images: [LabeledImage]
    /// (images.count, classes) softmax probabilities.
    public let probabilities: [Float]
    /// (images.count, embeddingWidth) embeddings: the globally pooled features (DESIGN §1).
    public let embeddings: [Float]
    public let embeddingWidth: Int
    /// The files that could not be decoded, in the folder's order, and why.
    public let failures: [(path: String, error: DatasetError)]

    /// embed's CSV: a header `path,label,f0,...,f<l-1>`, then one row per image: its path
    /// (`root` joined with its path in the folder), its class name, and its embedding.
    public func embeddingCSV(root: String, classNames: [String]) -> String {
        var text = CSV.line(["path", "label"] + (0..<embeddingWidth).map { "f\($0)" })
        for (index, image) in images.enumerated() {
            let values = embeddings[index * embeddingWidth..<(index + 1) * embeddingWidth].map { "\($0)" }
            text += CSV.line([(root as NSString).appendingPathComponent(image.path), classNames[image.label]] + values)
        }
        return text
    }
}

extension TrainedModel {
    /// Decodes every image of `folder` as training does and runs the model on them. Files that
    /// fail to decode are listed in `failures` rather than thrown, so one bad file does not
    /// cost the others' results. Files declaring more than `maximumPixels` pixels are such failures.
    public func infer(_ folder: ImageFolder, threads: Int, maximumPixels: Int = JPEG.defaultMaximumPixels) throws -> Inference {
        // One pseudo-class: the folder's labels may not index the model's outputs, and the
        // cross-entropy the evaluator computes on the way means nothing here.
        let unlabeled = ImageFolder(root: folder.root, classNames: ["unlabeled"], images: folder.images.map { LabeledImage(path: $0.path, label: 0) })
        let cache: ImageCache
        do {
            cache = try decode(unlabeled, threads: threads, skipBad: true, maximumPixels: maximumPixels)
        } catch {
            // Every file failed, which the cache reports for its one class: decode each alone for its reason.
            guard case .everyImageSkipped = error else { throw error }
            return Inference(
                images: [], probabilities: [], embeddings: [], embeddingWidth: model.embeddingWidth,
                failures: unlabeled.images.map { decodingFailure(of: $0, in: unlabeled, maximumPixels: maximumPixels) })
        }
        let evaluation = try evaluate(cache, threads: threads)
        let labels = Dictionary(folder.images.map { ($0.path, $0.label) }, uniquingKeysWith: { first, _ in first })
        return Inference(
            images: cache.folder.images.map { LabeledImage(path: $0.path, label: labels[$0.path]!) },
            probabilities: evaluation.probabilities, embeddings: evaluation.embeddings,
            embeddingWidth: model.embeddingWidth, failures: cache.skipped.map { ($0.path, $0.error) })
    }

    /// Why `image`, which failed to decode among the others, fails: decoding is deterministic,
    /// so it fails alone too.
    private func decodingFailure(
        of image: LabeledImage, in folder: ImageFolder, maximumPixels: Int
    ) -> (path: String, error: DatasetError) {
        let alone = ImageFolder(root: folder.root, classNames: folder.classNames, images: [image])
        do {
            _ = try decode(alone, threads: 1, maximumPixels: maximumPixels)
        } catch {
            return (folder.url(of: image).path, error)
        }
        preconditionFailure("\(folder.url(of: image).path) failed to decode among others but decoded alone")
    }
}

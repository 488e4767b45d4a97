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
    /// (images.count, embeddingWidth) embeddings: the globally pooled features (docs/method.md, "Embedding").
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
        let (cache, failures) = try decodeEach(folder, threads: threads, maximumPixels: maximumPixels)
        guard let cache else {
            return Inference(images: [], probabilities: [], embeddings: [], embeddingWidth: model.embeddingWidth, failures: failures)
        }
        let evaluation = try evaluate(cache, threads: threads)
        let labels = Dictionary(folder.images.map { ($0.path, $0.label) }, uniquingKeysWith: { first, _ in first })
        return Inference(
            images: cache.folder.images.map { LabeledImage(path: $0.path, label: labels[$0.path]!) },
            probabilities: evaluation.probabilities, embeddings: evaluation.embeddings,
            embeddingWidth: model.embeddingWidth, failures: failures)
    }

    /// The images of `folder` that decode, as training decodes them, under one pseudo-class (the
    /// folder's labels may not index the model's outputs, and the cross-entropy the evaluator
    /// computes on the way means nothing here), in the folder's order; nil when none does. The
    /// others are listed in `failures`, in the folder's order, with why.
    public func decodeEach(
        _ folder: ImageFolder, threads: Int, maximumPixels: Int = JPEG.defaultMaximumPixels
    ) throws -> (cache: ImageCache?, failures: [(path: String, error: DatasetError)]) {
        let unlabeled = ImageFolder(root: folder.root, classNames: ["unlabeled"], images: folder.images.map { LabeledImage(path: $0.path, label: 0) })
        var cache: ImageCache
        var failures: [(path: String, error: DatasetError)] = []
        do {
            cache = try decode(unlabeled, threads: threads, skipBad: true, maximumPixels: maximumPixels)
        } catch {
            // Every file failed together, which the cache reports for its one class. Decoding
            // is deterministic, but memory pressure (large progressive JPEGs decoded on several
            // threads at once) can fail a file that decodes alone: retry one file at a time.
            guard case .everyImageSkipped = error else { throw error }
            var decodable: [LabeledImage] = []
            for image in unlabeled.images {
                do {
                    let alone = ImageFolder(root: unlabeled.root, classNames: unlabeled.classNames, images: [image])
                    _ = try decode(alone, threads: 1, maximumPixels: maximumPixels)
                    decodable.append(image)
                } catch {
                    failures.append((unlabeled.url(of: image).path, error))
                }
            }
            guard !decodable.isEmpty else { return (nil, failures) }
            cache = try decode(
                ImageFolder(root: unlabeled.root, classNames: unlabeled.classNames, images: decodable), threads: 1, skipBad: true,
                maximumPixels: maximumPixels)
        }
        return (cache, failures + cache.skipped.map { ($0.path, $0.error) })
    }
}

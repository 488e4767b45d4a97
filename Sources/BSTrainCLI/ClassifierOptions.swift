import ArgumentParser
import Evaluation
import Inference

extension NearestNeighbourClassifier.Vote: ExpressibleByArgument {}

/// How `eval` and `predict` classify: the trained linear head, or the nearest cases of an index.
struct ClassifierOptions: ParsableArguments {
    enum Classifier: String, ExpressibleByArgument, CaseIterable {
        case head, knn
    }

    @Option(help: "head: the trained classifier; knn: the vote of the nearest cases of --index (cosine similarity of embeddings).")
    var classifier: Classifier = .head

    @Option(help: "Index written by 'bstrain index' with the same weights: the gallery of --classifier knn.")
    var index: String?

    @Option(name: .customLong("knn-k"), help: "Neighbours that vote, for --classifier knn.")
    var neighbourCount = 10

    @Option(help: "Vote of --classifier knn: majority or similarity-weighted (each neighbour votes with its cosine similarity).")
    var vote: NearestNeighbourClassifier.Vote = .majority

    func validate() throws {
        if classifier == .knn, index == nil { throw ValidationError("--classifier knn needs --index INDEX (made by 'bstrain index')") }
        if classifier == .head, index != nil { throw ValidationError("--index is the gallery of --classifier knn; add --classifier knn") }
        guard neighbourCount > 0 else { throw ValidationError("--knn-k must be positive, got \(neighbourCount)") }
    }

    /// The gallery of --index, checked to be made by `trained` over its classes.
    func openIndex(for trained: TrainedModel, path: String) throws -> EmbeddingIndex {
        let gallery = try EmbeddingIndex(contentsOf: path)
        try gallery.checkMade(by: trained, indexPath: path)
        guard gallery.classNames == trained.metadata.classNames else {
            throw EmbeddingIndexError.otherClasses(index: path, indexClasses: gallery.classNames, weightsClasses: trained.metadata.classNames)
        }
        return gallery
    }

    /// (images, classes) class scores of images whose head gives `probabilities` and whose
    /// embeddings are `embeddings`: the head's probabilities, or the kNN vote shares.
    func scores(trained: TrainedModel, probabilities: [Float], embeddings: [Float]) throws -> [Float] {
        guard classifier == .knn, let index else { return probabilities }
        let gallery = try openIndex(for: trained, path: index)
        let neighbours = NearestNeighbours.search(queries: embeddings, gallery: gallery.embeddings, width: gallery.width, k: neighbourCount)
        return NearestNeighbourClassifier(k: neighbourCount, vote: vote)
            .scores(neighbours: neighbours, galleryLabels: gallery.labels, classCount: gallery.classNames.count)
    }

    /// One line naming the classifier, for the top of a command's output.
    var summary: String {
        guard classifier == .knn, let index else { return "classifier: the trained head" }
        return "classifier: \(neighbourCount)-nearest-neighbour \(vote.rawValue) vote over \(index) (cosine similarity)"
    }
}

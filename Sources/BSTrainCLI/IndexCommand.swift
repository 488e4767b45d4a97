import ArgumentParser
import Data
import Distributed
import Foundation
import Inference
import Support

/// `bstrain index`: a labelled folder's embeddings as a retrieval gallery.
struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Embed a labelled folder's images into an index for 'bstrain retrieve' and 'bstrain eval --gallery'.",
        discussion: """
            DIR holds one subfolder of JPEGs per class. The index is one safetensors file: tensors \
            'embeddings' (images, l) and 'labels' (images), with the paths (DIR joined with each \
            image's path in it), the class names and the weights that made it (path and checksum) \
            in its metadata. Under mpirun every rank embeds an even share of the images and rank 0 \
            writes the file; give each rank --threads so that the ranks on one machine do not \
            share its cores.
            """)

    @OptionGroup var options: InferenceOptions

    @Argument(help: "Gallery images: a folder with one subfolder of JPEGs per class.")
    var directory: String

    @Option(help: "Index file to write (safetensors).")
    var out: String

    @Flag(help: "Leave out corrupt or non-JPEG files (listed on stderr) instead of stopping.")
    var skipBad = false

    func run() throws {
        try runOnEveryRank { communicator in
            let trained = try options.open()
            let fingerprint = try WeightsFingerprint(of: trained.path)
            let folder = try ImageFolder.scan(URL(fileURLWithPath: directory))
            let gallery = try embedSharedAmongRanks(folder, trained: trained, communicator: communicator)
            guard gallery.failures == 0 || skipBad else { throw IndexError.unreadableImages(count: gallery.failures, folder: directory) }
            guard communicator.isRoot else { return }
            let index = EmbeddingIndex(
                embeddings: gallery.embeddings, width: trained.model.embeddingWidth,
                paths: gallery.images.map { (directory as NSString).appendingPathComponent($0.path) },
                labels: gallery.images.map(\.label), classNames: folder.classNames, weights: fingerprint)
            try index.write(to: out)
            print("wrote \(index.count) embeddings of width \(index.width) (\(folder.classNames.count) classes) to \(out)"
                + (communicator.worldSize > 1 ? ", embedded by \(communicator.worldSize) ranks" : ""))
        }
    }

    /// Each rank embeds its even slice of `folder` (`evenSlice`); the images that decoded and
    /// their embeddings are gathered on every rank in the folder's order. Undecodable files are
    /// reported by the rank that met them and counted over all ranks.
    private func embedSharedAmongRanks(
        _ folder: ImageFolder, trained: TrainedModel, communicator: Communicator
    ) throws -> (images: [LabeledImage], embeddings: [Float], failures: Int) {
        let share = evenSlice(total: folder.count, parts: communicator.worldSize, part: communicator.rank)
        let width = trained.model.embeddingWidth
        var kept: [Int32] = []
        var embeddings: [Float] = []
        var failures = 0
        if !share.isEmpty {
            let slice = ImageFolder(root: folder.root, classNames: folder.classNames, images: Array(folder.images[share]))
            let inference = try trained.infer(slice, threads: options.threadCount, maximumPixels: options.maxImagePixels)
            let position = Dictionary(uniqueKeysWithValues: folder.images[share].enumerated().map { ($1.path, share.lowerBound + $0) })
            kept = inference.images.map { Int32(position[$0.path]!) }
            embeddings = inference.embeddings
            failures = inference.failures.count
            for failure in inference.failures { writeToStandardError("bstrain: index: \(failure.error)\n") }
        }
        // (worldSize, 2) per rank: images kept, files failed.
        var tallies = [Int64](repeating: 0, count: 2 * communicator.worldSize)
        try [Int64(kept.count), Int64(failures)].withUnsafeBytes { send in
            try tallies.withUnsafeMutableBytes { try communicator.allGather(bytes: send, into: $0) }
        }
        let keptCounts = (0..<communicator.worldSize).map { Int(tallies[2 * $0]) }
        var allKept = [Int32](repeating: 0, count: keptCounts.reduce(0, +))
        var allEmbeddings = [Float](repeating: 0, count: allKept.count * width)
        try kept.withUnsafeBufferPointer { send in
            try allKept.withUnsafeMutableBufferPointer { try communicator.allGather(send, into: $0, counts: keptCounts) }
        }
        try embeddings.withUnsafeBufferPointer { send in
            try allEmbeddings.withUnsafeMutableBufferPointer {
                try communicator.allGather(send, into: $0, counts: keptCounts.map { $0 * width })
            }
        }
        let totalFailures = (0..<communicator.worldSize).reduce(0) { $0 + Int(tallies[2 * $1 + 1]) }
        return (allKept.map { folder.images[Int($0)] }, allEmbeddings, totalFailures)
    }
}

/// Why `index` wrote nothing.
enum IndexError: Error, CustomStringConvertible {
    case unreadableImages(count: Int, folder: String)

    var description: String {
        switch self {
        case let .unreadableImages(count, folder):
            "\(count) file(s) in \(folder) could not be decoded (listed above); remove them, or pass --skip-bad to index the others"
        }
    }
}

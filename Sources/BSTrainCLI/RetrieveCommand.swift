import ArgumentParser
import Data
import Evaluation
import Foundation
import Inference
import Reports
import Support

/// `bstrain retrieve`: the most similar gallery cases of new images.
struct RetrieveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retrieve",
        abstract: "List the gallery images of an index most similar to each query image, as CSV.",
        discussion: """
            PATH may be JPEG files or folders, searched recursively for .jpg/.jpeg files. Each query \
            is embedded with --weights, which must be the weights the index was made with, and \
            compared with every gallery image by cosine similarity (exact search). The CSV has one \
            row per query and neighbour: query, rank (1 = most similar), path, class, similarity. \
            --sheets also writes one SVG contact sheet per query, linking the images where they lie.
            """)

    @OptionGroup var options: InferenceOptions

    @Option(help: "Index written by 'bstrain index'.")
    var index: String

    @Argument(help: "Query JPEG files or folders of them.")
    var paths: [String]

    @Option(help: "Neighbours listed per query.")
    var k = 10

    @Option(help: "CSV file to write (default: standard output).")
    var out: String?

    @Option(help: "Folder for one SVG contact sheet per query (query image, neighbours, classes, similarities), named <n>-<file>.svg.")
    var sheets: String?

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("give at least one query image file or folder") }
        guard k > 0 else { throw ValidationError("--k must be positive, got \(k)") }
    }

    func run() throws {
        let trained = try options.open()
        let gallery = try EmbeddingIndex(contentsOf: index)
        try gallery.checkMade(by: trained, indexPath: index)
        let files = ImageFileList(paths)
        for failure in files.failures { writeToStandardError("bstrain: retrieve: \(failure.path): \(failure.reason)\n") }
        guard !files.paths.isEmpty else { throw PredictError.noImages(paths: paths) }
        let folder = files.folder
        let queries = try trained.infer(folder, threads: options.threadCount, maximumPixels: options.maxImagePixels)
        for failure in queries.failures { writeToStandardError("bstrain: retrieve: \(failure.error)\n") }
        let neighbours = NearestNeighbours.search(
            queries: queries.embeddings, gallery: gallery.embeddings, width: gallery.width, k: k)
        var csv = CSV.line(["query", "rank", "path", "class", "similarity"])
        for (query, image) in queries.images.enumerated() {
            let queryPath = files.givenPath(of: folder.url(of: image).path)
            for rank in 0..<neighbours.k {
                let neighbour = neighbours.indices[query * neighbours.k + rank]
                csv += CSV.line([
                    queryPath, "\(rank + 1)", gallery.paths[neighbour], gallery.classNames[gallery.labels[neighbour]],
                    String(format: "%.6f", neighbours.similarities[query * neighbours.k + rank]),
                ])
            }
        }
        if let sheets { try writeSheets(to: sheets, queries: queries.images.map { folder.url(of: $0).path }, neighbours: neighbours, gallery: gallery) }
        try writeCSV(csv, to: out, summary: "wrote the \(neighbours.k) nearest of \(gallery.count) gallery images for \(queries.images.count) queries")
    }

    /// ContactSheetPlot per query, numbered in query order so equal file names do not collide.
    private func writeSheets(to folder: String, queries: [String], neighbours: NearestNeighbours, gallery: EmbeddingIndex) throws {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw ReportError.cannotCreateFolder(path: folder, reason: error.localizedDescription)
        }
        for (query, path) in queries.enumerated() {
            let ranks = query * neighbours.k..<(query + 1) * neighbours.k
            let sheet = ContactSheetPlot.svg(queryPath: path, neighbours: ranks.map { rank in
                let neighbour = neighbours.indices[rank]
                return .init(
                    path: gallery.paths[neighbour], className: gallery.classNames[gallery.labels[neighbour]],
                    similarity: neighbours.similarities[rank])
            })
            let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
            try AtomicFile.write(sheet, to: "\(folder)/\(query + 1)-\(name).svg")
        }
    }
}

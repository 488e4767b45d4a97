import Foundation

/// `retrieve --sheets`: one query image and its nearest gallery cases side by side, each with
/// its class and cosine similarity, the way a reader compares a new X-ray with past cases.
/// Images are linked by file URL, not copied in, so a sheet stays small; it shows them while
/// the images stay where they were indexed.
public enum ContactSheetPlot {
    /// One gallery case: its image file, class name and cosine similarity to the query.
    public struct Neighbour {
        public let path: String
        public let className: String
        public let similarity: Float

        public init(path: String, className: String, similarity: Float) {
            self.path = path
            self.className = className
            self.similarity = similarity
        }
    }

    static let tile = 160.0
    static let gap = 12.0

    public static func svg(queryPath: String, neighbours: [Neighbour]) -> String {
        let columns = Double(neighbours.count + 1)
        let captionHeight = 36.0
        let top = 48.0
        let width = gap + columns * (tile + gap)
        let height = top + tile + captionHeight + gap
        var document = SVGDocument(width: width, height: height)
        document.rect(x: 0, y: 0, width: width, height: height, fill: "#ffffff")
        document.text(
            "Nearest cases of \((queryPath as NSString).lastPathComponent)", at: SVGPoint(x: gap, y: 28),
            size: PlotFrame.titleSize, bold: true)
        func place(path: String, column: Int, caption: String, detail: String, frame: String) {
            let x = gap + Double(column) * (tile + gap)
            document.rect(x: x - 2, y: top - 2, width: tile + 4, height: tile + 4, fill: "#f4f4f4", stroke: frame, strokeWidth: 2)
            document.image(url: URL(fileURLWithPath: path).absoluteString, x: x, y: top, width: tile, height: tile)
            document.text(caption, at: SVGPoint(x: x + tile / 2, y: top + tile + 16), size: 12, anchor: .middle, bold: true)
            document.text(detail, at: SVGPoint(x: x + tile / 2, y: top + tile + 31), size: 11, anchor: .middle, fill: "#555555")
        }
        place(path: queryPath, column: 0, caption: "query", detail: (queryPath as NSString).lastPathComponent, frame: "#222222")
        for (rank, neighbour) in neighbours.enumerated() {
            place(
                path: neighbour.path, column: rank + 1, caption: "\(rank + 1). \(neighbour.className)",
                detail: String(format: "similarity %.3f", neighbour.similarity), frame: "#bbbbbb")
        }
        return document.xml
    }
}

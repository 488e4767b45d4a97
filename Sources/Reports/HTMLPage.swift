import Foundation

/// A self-contained HTML5 page: its style inline and every figure in the file (SVG as markup,
/// pictures as data URIs), so it opens from a mail attachment or an offline disk, and
/// references nothing on a network. Text is escaped here, once.
public struct HTMLPage {
    private var body: [String] = []
    public let title: String

    public init(title: String) {
        self.title = title
    }

    /// The whole document.
    public var html: String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(Self.escaped(title))</title>
        <style>\(Self.style)</style>
        </head>
        <body>
        <h1>\(Self.escaped(title))</h1>
        \(body.joined(separator: "\n"))
        </body>
        </html>

        """
    }

    public mutating func heading(_ text: String) {
        body.append("<h2>\(Self.escaped(text))</h2>")
    }

    public mutating func paragraph(_ text: String) {
        body.append("<p>\(Self.escaped(text))</p>")
    }

    /// `text` as written, in a fixed-width block (a configuration file).
    public mutating func preformatted(_ text: String) {
        body.append("<pre>\(Self.escaped(text))</pre>")
    }

    /// A table with a header row; every cell is text.
    public mutating func table(header: [String], rows: [[String]]) {
        func cells(_ row: [String], tag: String) -> String {
            "<tr>" + row.map { "<\(tag)>\(Self.escaped($0))</\(tag)>" }.joined() + "</tr>"
        }
        body.append("<table>\n<thead>\(cells(header, tag: "th"))</thead>\n<tbody>\n"
            + rows.map { cells($0, tag: "td") }.joined(separator: "\n") + "\n</tbody>\n</table>")
    }

    /// An SVG document (as the plots write it) inline, with a caption.
    public mutating func figure(svg: String, caption: String) {
        // The XML declaration is not allowed inside HTML; the <svg> element is.
        let markup = svg.range(of: "<svg").map { String(svg[$0.lowerBound...]) } ?? svg
        body.append("<figure>\n\(markup)<figcaption>\(Self.escaped(caption))</figcaption>\n</figure>")
    }

    /// Pictures side by side, each a JPEG inline as a data URI with its caption lines.
    public mutating func gallery(_ pictures: [(jpeg: Data, caption: [String])]) {
        let items = pictures.map { picture in
            "<figure class=\"picture\"><img alt=\"\(Self.escaped(picture.caption.first ?? ""))\" "
                + "src=\"data:image/jpeg;base64,\(picture.jpeg.base64EncodedString())\">"
                + "<figcaption>\(picture.caption.map(Self.escaped).joined(separator: "<br>"))</figcaption></figure>"
        }
        body.append("<div class=\"gallery\">\n\(items.joined(separator: "\n"))\n</div>")
    }

    /// `text` safe in HTML content and double-quoted attributes.
    static func escaped(_ text: String) -> String {
        SVGDocument.escaped(text)
    }

    private static let style = """
        body{font-family:\(SVGDocument.fontFamily);margin:2em auto;max-width:1200px;padding:0 1em;color:#222}\
        h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}\
        table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}\
        th{background:#f3f3f3}pre{background:#f7f7f7;padding:1em;overflow:auto}\
        figure{display:inline-block;margin:1em;vertical-align:top}figcaption{font-size:.9em;color:#555}\
        svg{max-width:100%;height:auto}.gallery figure.picture{width:260px}.picture img{width:256px;height:auto}
        """
}

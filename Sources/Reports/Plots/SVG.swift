import Foundation

/// A point in SVG user units (pixels of the viewBox), y growing downwards.
struct SVGPoint: Equatable {
    var x: Double
    var y: Double
}

/// A minimal SVG 1.1 writer: a sized document with a viewBox (so browsers scale it), and the
/// few shapes the plots need. All text and attribute values are XML-escaped here, once, so a
/// class name like `<b> & "c"` cannot break the file.
struct SVGDocument {
    enum TextAnchor: String {
        case start, middle, end
    }

    /// Where `y` falls on the text: on its baseline or through its middle (for table cells).
    enum TextBaseline {
        case alphabetic, middle
    }

    static let fontFamily = "Helvetica, Arial, sans-serif"

    let width: Double
    let height: Double
    private var elements: [String] = []

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// The whole document, starting with the XML declaration.
    var xml: String {
        let size = "width=\"\(Self.number(width))\" height=\"\(Self.number(height))\" "
            + "viewBox=\"0 0 \(Self.number(width)) \(Self.number(height))\""
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" \(size) "
            + "font-family=\"\(Self.escaped(Self.fontFamily))\">\n"
            + elements.joined(separator: "\n")
            + "\n</svg>\n"
    }

    mutating func rect(
        x: Double, y: Double, width: Double, height: Double,
        fill: String, stroke: String? = nil, strokeWidth: Double = 1, opacity: Double = 1
    ) {
        var attributes: [(String, String)] = [
            ("x", Self.number(x)), ("y", Self.number(y)),
            ("width", Self.number(width)), ("height", Self.number(height)), ("fill", fill),
        ]
        if let stroke { attributes += [("stroke", stroke), ("stroke-width", Self.number(strokeWidth))] }
        if opacity < 1 { attributes.append(("fill-opacity", Self.number(opacity))) }
        add("rect", attributes)
    }

    mutating func line(
        from start: SVGPoint, to end: SVGPoint, stroke: String, strokeWidth: Double = 1, dash: String? = nil
    ) {
        var attributes: [(String, String)] = [
            ("x1", Self.number(start.x)), ("y1", Self.number(start.y)),
            ("x2", Self.number(end.x)), ("y2", Self.number(end.y)),
            ("stroke", stroke), ("stroke-width", Self.number(strokeWidth)),
        ]
        if let dash { attributes.append(("stroke-dasharray", dash)) }
        add("line", attributes)
    }

    /// An open line through `points`; `dash` is an SVG dash array such as "6 4".
    mutating func polyline(_ points: [SVGPoint], stroke: String, strokeWidth: Double = 2, dash: String? = nil) {
        var attributes: [(String, String)] = [
            ("points", points.map { "\(Self.number($0.x)),\(Self.number($0.y))" }.joined(separator: " ")),
            ("fill", "none"), ("stroke", stroke), ("stroke-width", Self.number(strokeWidth)),
            ("stroke-linejoin", "round"),
        ]
        if let dash { attributes.append(("stroke-dasharray", dash)) }
        add("polyline", attributes)
    }

    /// A filled shape closed from the last of `points` back to the first, without outline.
    mutating func polygon(_ points: [SVGPoint], fill: String, opacity: Double = 1) {
        var attributes: [(String, String)] = [
            ("points", points.map { "\(Self.number($0.x)),\(Self.number($0.y))" }.joined(separator: " ")),
            ("fill", fill), ("stroke", "none"),
        ]
        if opacity < 1 { attributes.append(("fill-opacity", Self.number(opacity))) }
        add("polygon", attributes)
    }

    mutating func circle(center: SVGPoint, radius: Double, fill: String, opacity: Double = 1) {
        var attributes: [(String, String)] = [
            ("cx", Self.number(center.x)), ("cy", Self.number(center.y)),
            ("r", Self.number(radius)), ("fill", fill),
        ]
        if opacity < 1 { attributes.append(("fill-opacity", Self.number(opacity))) }
        add("circle", attributes)
    }

    /// Text at `position`; `rotation` in degrees (clockwise) turns it about that point.
    mutating func text(
        _ content: String, at position: SVGPoint, size: Double = 12, anchor: TextAnchor = .start,
        baseline: TextBaseline = .alphabetic, bold: Bool = false, fill: String = "#222222", rotation: Double = 0
    ) {
        var attributes: [(String, String)] = [
            ("x", Self.number(position.x)), ("y", Self.number(position.y)),
            ("font-size", Self.number(size)), ("text-anchor", anchor.rawValue), ("fill", fill),
        ]
        // dy rather than dominant-baseline: every renderer honours it.
        if baseline == .middle { attributes.append(("dy", "0.35em")) }
        if bold { attributes.append(("font-weight", "bold")) }
        if rotation != 0 {
            attributes.append((
                "transform",
                "rotate(\(Self.number(rotation)) \(Self.number(position.x)) \(Self.number(position.y)))"))
        }
        add("text", attributes, content: content)
    }

    /// A picture from `url` scaled to fit the box, keeping its aspect ratio. SVG 2's plain
    /// `href`, which current browsers read (SVG 1.1 viewers want `xlink:href`).
    mutating func image(url: String, x: Double, y: Double, width: Double, height: Double) {
        add("image", [
            ("href", url), ("x", Self.number(x)), ("y", Self.number(y)),
            ("width", Self.number(width)), ("height", Self.number(height)), ("preserveAspectRatio", "xMidYMid meet"),
        ])
    }

    /// A rough width of `text` at `size`: SVG cannot measure text, and an average glyph of a
    /// sans-serif font is about 0.6 em wide, enough to size margins and legend boxes.
    static func estimatedWidth(of text: String, size: Double) -> Double {
        Double(text.count) * size * 0.6
    }

    /// Coordinates with two decimals: finer than a pixel, and short files.
    static func number(_ value: Double) -> String {
        var text = String(format: "%.2f", value)
        while text.hasSuffix("0") && text.contains(".") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }

    /// `text` safe inside XML content and double-quoted attributes. XML 1.0 cannot hold most
    /// control characters even escaped, so they become U+FFFD.
    static func escaped(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value):
                result += "\u{FFFD}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    private mutating func add(_ name: String, _ attributes: [(String, String)], content: String? = nil) {
        let attributeText = attributes.map { " \($0.0)=\"\(Self.escaped($0.1))\"" }.joined()
        if let content {
            elements.append("<\(name)\(attributeText)>\(Self.escaped(content))</\(name)>")
        } else {
            elements.append("<\(name)\(attributeText)/>")
        }
    }
}

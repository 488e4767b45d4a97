import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// An SVG text parsed with Foundation's XMLParser: fails to initialise unless the text is
/// well-formed XML, and records every element with its attributes and text.
final class ParsedSVG: NSObject, XMLParserDelegate {
    struct Element {
        let name: String
        let attributes: [String: String]
        var text = ""
    }

    private(set) var elements: [Element] = []
    private var open: [Int] = []

    init?(_ svg: String) {
        super.init()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = self
        guard parser.parse() else { return nil }
    }

    var root: Element? { elements.first }

    func elements(named name: String) -> [Element] { elements.filter { $0.name == name } }

    /// The content of every <text> element, in document order.
    var texts: [String] { elements(named: "text").map(\.text) }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName: String?, attributes: [String: String]) {
        open.append(elements.count)
        elements.append(Element(name: elementName, attributes: attributes))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if let current = open.last { elements[current].text += string }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        open.removeLast()
    }
}

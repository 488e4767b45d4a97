import Testing
@testable import Reports

@Suite struct SVGTests {
    @Test func documentIsWellFormedWithViewBoxAndNamespace() throws {
        var document = SVGDocument(width: 200, height: 100)
        document.rect(x: 1, y: 2, width: 30, height: 40, fill: "#ff0000", stroke: "#000000", opacity: 0.5)
        document.line(from: SVGPoint(x: 0, y: 0), to: SVGPoint(x: 10, y: 10), stroke: "#000000", dash: "4 2")
        document.polyline([SVGPoint(x: 0, y: 0), SVGPoint(x: 5.5, y: 1.25)], stroke: "#00ff00")
        document.circle(center: SVGPoint(x: 3, y: 4), radius: 2, fill: "#0000ff")
        document.text("label", at: SVGPoint(x: 9, y: 9), anchor: .middle, rotation: -90)
        let parsed = try #require(ParsedSVG(document.xml))
        let root = try #require(parsed.root)
        #expect(root.name == "svg")
        #expect(root.attributes["xmlns"] == "http://www.w3.org/2000/svg")
        #expect(root.attributes["viewBox"] == "0 0 200 100")
        #expect(parsed.elements.map(\.name) == ["svg", "rect", "line", "polyline", "circle", "text"])
        #expect(parsed.elements(named: "polyline")[0].attributes["points"] == "0,0 5.5,1.25")
        #expect(parsed.elements(named: "line")[0].attributes["stroke-dasharray"] == "4 2")
        #expect(parsed.elements(named: "text")[0].attributes["transform"] == "rotate(-90 9 9)")
    }

    @Test func textAndAttributesAreEscapedSoAnyNameSurvives() throws {
        let name = "<b> & \"quoted\" 'single' \u{1}bell"
        var document = SVGDocument(width: 10, height: 10)
        document.text(name, at: SVGPoint(x: 0, y: 0))
        document.rect(x: 0, y: 0, width: 1, height: 1, fill: name)
        let parsed = try #require(ParsedSVG(document.xml))
        #expect(parsed.texts == ["<b> & \"quoted\" 'single' \u{FFFD}bell"])
        #expect(parsed.elements(named: "rect")[0].attributes["fill"] == "<b> & \"quoted\" 'single' \u{FFFD}bell")
    }

    @Test func numbersAreShortAndNeverNegativeZero() {
        #expect(SVGDocument.number(3) == "3")
        #expect(SVGDocument.number(2.5) == "2.5")
        #expect(SVGDocument.number(1.23456) == "1.23")
        #expect(SVGDocument.number(-0.001) == "0")
        #expect(SVGDocument.number(-12.10) == "-12.1")
    }
}

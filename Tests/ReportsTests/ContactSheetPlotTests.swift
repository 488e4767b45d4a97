import Testing
@testable import Reports

@Suite struct ContactSheetPlotTests {
    @Test func showsTheQueryThenEachNeighbourWithItsClassAndSimilarity() throws {
        let svg = ContactSheetPlot.svg(queryPath: "/cases/new & odd.jpg", neighbours: [
            .init(path: "/gallery/COVID-19/a.jpg", className: "COVID-19", similarity: 0.9876),
            .init(path: "/gallery/NORMAL/b.jpg", className: "<NORMAL>", similarity: 0.5),
        ])
        let parsed = try #require(ParsedSVG(svg))
        let links = parsed.elements(named: "image").compactMap { $0.attributes["href"] }
        #expect(links == ["file:///cases/new%20&%20odd.jpg", "file:///gallery/COVID-19/a.jpg", "file:///gallery/NORMAL/b.jpg"])
        for text in ["query", "1. COVID-19", "similarity 0.988", "2. <NORMAL>", "similarity 0.500"] {
            #expect(parsed.texts.contains(text), "\(text)")
        }
    }
}

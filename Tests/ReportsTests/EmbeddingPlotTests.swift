import Evaluation
import Testing
@testable import Reports

@Suite struct EmbeddingPlotTests {
    @Test func drawsOneDotPerSampleColouredByClassWithALegend() throws {
        let embeddings: [Float] = [0, 0, 1, 1, 0, 1, 5, 5, 6, 5, 5, 6]
        let projection = PCA(embeddings: embeddings, sampleCount: 6, dimension: 2)
        let labels = [0, 0, 0, 1, 1, 1]
        let parsed = try #require(ParsedSVG(EmbeddingPlot.svg(projection, labels: labels, classNames: ["normal", "pneumonia"])))
        let dots = parsed.elements(named: "circle")
        // Six samples plus one legend marker per class.
        #expect(dots.count == 8)
        let sampleFills = dots.prefix(6).map { $0.attributes["fill"]! }
        #expect(sampleFills == labels.map(PlotPalette.colour))
        #expect(parsed.texts.contains("normal") && parsed.texts.contains("pneumonia"))
        #expect(parsed.texts.contains { $0.hasPrefix("PC1 (") && $0.hasSuffix("% of variance)") })
    }
}

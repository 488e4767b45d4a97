import Evaluation
import Testing
@testable import Reports

@Suite struct ROCPlotTests {
    @Test func drawsOneCurvePerEntryWithAUCInTheLegendAndTheChanceLine() throws {
        let good = try #require(ROCCurve(
            scores: [0.1, 0.2, 0.6, 0.35, 0.9, 0.4], isPositive: [false, false, false, false, true, true]))
        let perfect = try #require(ROCCurve(scores: [0.9, 0.1], isPositive: [true, false]))
        let svg = ROCPlot.svg([(label: "MobileNetV3 <small>", curve: good), (label: "PeleeNet", curve: perfect)])
        let parsed = try #require(ParsedSVG(svg))
        let curves = parsed.elements(named: "polyline")
        #expect(curves.count == 2)
        #expect(curves[0].attributes["points"]?.split(separator: " ").count == good.points.count)
        #expect(curves[0].attributes["stroke"] != curves[1].attributes["stroke"])
        #expect(parsed.texts.contains("MobileNetV3 <small> (AUC = 0.875)"))
        #expect(parsed.texts.contains("PeleeNet (AUC = 1.000)"))
        #expect(parsed.texts.contains("chance (AUC = 0.5)"))
        #expect(parsed.elements(named: "line").contains { $0.attributes["stroke-dasharray"] == "6 4" })
        #expect(parsed.texts.contains("0.2") && parsed.texts.contains("1.0"))
    }

    @Test func shadesEachGivenBandInItsCurveColourAndSaysSoInTheLegend() throws {
        let scores: [Float] = [0.1, 0.4, 0.35, 0.8, 0.2, 0.7]
        let isPositive = [false, false, true, true, false, true]
        let curve = try #require(ROCCurve(scores: scores, isPositive: isPositive))
        let band = try #require(ROCBand(scores: scores, isPositive: isPositive, bootstrap: StratifiedBootstrap(resamples: 50)))
        let curves = [(label: "with band", curve: curve), (label: "without", curve: curve)]
        let parsed = try #require(ParsedSVG(ROCPlot.svg(curves, bands: [band, nil])))
        let shaded = parsed.elements(named: "polygon")
        #expect(shaded.count == 1)
        #expect(shaded.first?.attributes["points"]?.split(separator: " ").count == 2 * band.falsePositiveRates.count)
        #expect(shaded.first?.attributes["fill"] == parsed.elements(named: "polyline").first?.attributes["stroke"])
        #expect(parsed.texts.contains(ROCPlot.bandCaption))

        let plain = try #require(ParsedSVG(ROCPlot.svg(curves)))
        #expect(plain.elements(named: "polygon").isEmpty && !plain.texts.contains(ROCPlot.bandCaption))
    }
}

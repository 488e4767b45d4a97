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
}

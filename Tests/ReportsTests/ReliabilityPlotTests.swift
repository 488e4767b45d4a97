import Evaluation
import Testing
@testable import Reports

@Suite struct ReliabilityPlotTests {
    @Test func drawsABarAndAGapPerOccupiedBinWithTheDiagonalAndTheScoresInTheTitle() throws {
        let probabilities: [Float] = [0.2, 0.8, 0.2, 0.8, 0.2, 0.8, 0.2, 0.8, 0.9, 0.1, 0.9, 0.1]
        let calibration = Calibration(probabilities: probabilities, labels: [1, 1, 1, 0, 1, 1], classCount: 2)
        let parsed = try #require(ParsedSVG(ReliabilityPlot.svg(calibration, title: "Reliability diagram (test)")))
        let barColour = PlotPalette.colour(0)
        #expect(parsed.elements(named: "rect").count { $0.attributes["fill"] == barColour } == 2)
        #expect(parsed.elements(named: "rect").count { $0.attributes["fill"] == "#d62728" } == 2)
        #expect(parsed.elements(named: "line").contains { $0.attributes["stroke-dasharray"] == "6 4" })
        #expect(parsed.texts.contains { $0.hasPrefix("Reliability diagram (test) (ECE 0.333, Brier ") })
        #expect(parsed.texts.contains("perfect calibration"))
    }
}

import Evaluation
import Testing
@testable import Reports

@Suite struct ConfusionMatrixPlotTests {
    @Test func cellsShowRowSharesAndCountsWithClassNamesOnBothAxes() throws {
        let matrix = ConfusionMatrix(trueClasses: [0, 0, 0, 0, 1, 1], predictedClasses: [0, 0, 0, 1, 1, 1], classCount: 2)
        let parsed = try #require(ParsedSVG(ConfusionMatrixPlot.svg(matrix, classNames: ["NORMAL", "PNEUMONIA"])))
        for text in ["0.75", "(3)", "0.25", "(1)", "0.00", "(0)", "1.00", "(2)", "true class", "predicted class"] {
            #expect(parsed.texts.contains(text))
        }
        #expect(parsed.texts.filter { $0 == "NORMAL" }.count == 2)
        #expect(parsed.texts.filter { $0 == "PNEUMONIA" }.count == 2)
        // The darkest cell is the one with the largest share.
        let fills = parsed.elements(named: "rect").compactMap { $0.attributes["fill"] }
        #expect(fills.contains(PlotPalette.blues(1)) && fills.contains(PlotPalette.blues(0.75)))
    }

    @Test func classWithoutSamplesIsMarkedNotApplicable() throws {
        let matrix = ConfusionMatrix(trueClasses: [0, 1], predictedClasses: [0, 2], classCount: 3)
        let parsed = try #require(ParsedSVG(ConfusionMatrixPlot.svg(
            matrix, classNames: ["a", "b", "a class with a rather long name"])))
        #expect(parsed.texts.filter { $0 == "n/a" }.count == 3)
        // A long name does not fit under its cell, so the column names are slanted.
        #expect(parsed.elements(named: "text").contains { $0.attributes["transform"]?.hasPrefix("rotate(-40") == true })
    }
}

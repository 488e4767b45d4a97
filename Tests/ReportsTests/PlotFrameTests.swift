import Testing
@testable import Reports

@Suite struct PlotFrameTests {
    @Test func ticksAreRoundStepsCoveringTheValues() {
        let axis = PlotAxis.covering(0.13...2.71, label: "loss")
        #expect(axis.ticks == [0, 0.5, 1, 1.5, 2, 2.5, 3])
        #expect(axis.tickLabels == ["0.0", "0.5", "1.0", "1.5", "2.0", "2.5", "3.0"])
        let small = PlotAxis.covering(-0.012...0.047, label: "x")
        #expect(small.domain.lowerBound <= -0.012 && small.domain.upperBound >= 0.047)
        #expect(small.tickLabels.first == "-0.02" && small.tickLabels.contains("0.00"))
    }

    @Test func integerAxesStepByWholeNumbers() {
        let epochs = PlotAxis.covering(1...3, label: "epoch", integer: true)
        #expect(epochs.ticks == [1, 2, 3])
        #expect(epochs.tickLabels == ["1", "2", "3"])
        let single = PlotAxis.covering(1...1, label: "epoch", integer: true)
        #expect(single.ticks.count >= 2 && single.domain.contains(1))
    }

    @Test func flatValuesStillGetAnAxisWithExtent() {
        let axis = PlotAxis.covering(0.7...0.7, label: "loss")
        #expect(axis.domain.lowerBound < 0.7 && axis.domain.upperBound > 0.7)
    }

    @Test func dataCornersMapToPlotAreaCorners() {
        let frame = PlotFrame(title: "t", x: .unitInterval(label: "x"), y: .unitInterval(label: "y"))
        #expect(frame.point(0, 0) == SVGPoint(x: frame.plotLeft, y: frame.plotBottom))
        #expect(frame.point(1, 1) == SVGPoint(x: frame.plotRight, y: frame.plotTop))
        #expect(frame.plotLeft > 0 && frame.plotRight < frame.width && frame.plotTop > 0 && frame.plotBottom < frame.height)
    }

    @Test func outsideLegendWidensTheCanvasNotThePlot() {
        let entries = [LegendEntry(label: "a fairly long class name", colour: "#000000", mark: .dot)]
        let plain = PlotFrame(title: "t", x: .unitInterval(label: "x"), y: .unitInterval(label: "y"))
        let withLegend = PlotFrame(
            title: "t", x: .unitInterval(label: "x"), y: .unitInterval(label: "y"), outsideLegend: entries)
        #expect(withLegend.plotRight == plain.plotRight)
        #expect(withLegend.width > plain.width + SVGDocument.estimatedWidth(of: entries[0].label, size: PlotFrame.legendSize))
    }
}

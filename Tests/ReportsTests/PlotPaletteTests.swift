import Testing
@testable import Reports

@Suite struct PlotPaletteTests {
    @Test func firstTenSeriesColoursAreDistinct() {
        #expect(Set((0..<10).map(PlotPalette.colour)).count == 10)
        #expect(PlotPalette.colour(10) == PlotPalette.colour(0))
    }

    @Test func bluesRunsFromNearWhiteToNavyAndClamps() {
        #expect(PlotPalette.blues(0) == "#f7fbff")
        #expect(PlotPalette.blues(1) == "#08306b")
        #expect(PlotPalette.blues(-3) == "#f7fbff")
        #expect(PlotPalette.blues(0.5) == "#6baed6")
    }
}

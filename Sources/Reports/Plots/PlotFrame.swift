import Foundation

/// One axis of an x-y chart: its label and its ticks; the ticks' ends are the axis's range.
struct PlotAxis {
    let label: String
    let ticks: [Double]
    let tickLabels: [String]

    var domain: ClosedRange<Double> { ticks.first!...ticks.last! }

    /// Round ticks (steps of 1, 2 or 5 times a power of ten, about five of them) whose range
    /// covers `values`; `integer` keeps steps ≥ 1 for counts such as epochs.
    static func covering(_ values: ClosedRange<Double>, label: String, integer: Bool = false) -> PlotAxis {
        var (low, high) = (values.lowerBound, values.upperBound)
        if high - low <= 1e-12 * max(abs(low), abs(high), 1) {
            // A flat series still needs an axis with some extent around it.
            let pad = max(abs(low) * 0.1, integer ? 1 : 0.5)
            (low, high) = (low - pad, high + pad)
        }
        let raw = (high - low) / 5
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let normalized = raw / magnitude
        var step = (normalized < 1.5 ? 1 : normalized < 3 ? 2 : normalized < 7 ? 5 : 10) * magnitude
        if integer { step = max(step.rounded(), 1) }
        let first = (low / step).rounded(.down)
        let last = (high / step).rounded(.up)
        let ticks = stride(from: first, through: last, by: 1).map { $0 * step }
        let decimals = max(0, -Int((log10(step) + 1e-9).rounded(.down)))
        return PlotAxis(label: label, ticks: ticks, tickLabels: ticks.map { format($0, decimals: decimals) })
    }

    /// The unit interval in steps of 0.2, for rates such as ROC's FPR and TPR.
    static func unitInterval(label: String) -> PlotAxis {
        let ticks = (0...5).map { Double($0) / 5 }
        return PlotAxis(label: label, ticks: ticks, tickLabels: ticks.map { format($0, decimals: 1) })
    }

    private static func format(_ value: Double, decimals: Int) -> String {
        let text = String(format: "%.\(decimals)f", value)
        // "-0.0" from a tick that is zero up to rounding.
        return Double(text) == 0 ? String(format: "%.\(decimals)f", 0.0) : text
    }
}

/// A line or dot with its label, as shown in a legend box.
struct LegendEntry {
    enum Mark {
        case line(dash: String?)
        case dot
    }

    let label: String
    let colour: String
    let mark: Mark
}

/// The frame of an x-y chart: canvas, margins, the plot area between them, the map from data
/// to pixels, and the drawing of title, grid, axes with ticks, axis labels and legend.
struct PlotFrame {
    enum LegendPlacement {
        case insideTopLeft, insideTopRight, insideBottomRight, outsideRight
    }

    static let titleSize = 16.0
    static let labelSize = 13.0
    static let tickSize = 11.0
    static let legendSize = 12.0
    static let tickLength = 5.0

    let title: String
    let x: PlotAxis
    let y: PlotAxis
    let width: Double
    let height: Double
    let plotLeft: Double
    let plotRight: Double
    let plotTop: Double
    let plotBottom: Double

    /// Lays out the plot area so that the tick labels, axis labels and title fit; with
    /// `outsideLegend`, room is kept for that legend right of the plot area.
    init(title: String, x: PlotAxis, y: PlotAxis, width: Double = 720, height: Double = 480,
         outsideLegend: [LegendEntry] = []) {
        self.title = title
        self.x = x
        self.y = y
        let widestTick = y.tickLabels.map { SVGDocument.estimatedWidth(of: $0, size: Self.tickSize) }.max() ?? 0
        let legendWidth = outsideLegend.isEmpty ? 0 : Self.legendBoxSize(outsideLegend).width + 20
        self.width = width + legendWidth
        self.height = height
        // The rotated y label (centred at x = 20 + labelSize / 2), a gap, tick labels, ticks.
        plotLeft = 20 + Self.labelSize + 12 + widestTick + Self.tickLength + 3
        plotRight = width - 24
        plotTop = 48
        plotBottom = height - (20 + Self.labelSize + Self.tickSize + Self.tickLength + 8)
    }

    /// The pixel position of the data point (x, y).
    func point(_ xValue: Double, _ yValue: Double) -> SVGPoint {
        let xFraction = (xValue - x.domain.lowerBound) / (x.domain.upperBound - x.domain.lowerBound)
        let yFraction = (yValue - y.domain.lowerBound) / (y.domain.upperBound - y.domain.lowerBound)
        return SVGPoint(x: plotLeft + xFraction * (plotRight - plotLeft),
                        y: plotBottom - yFraction * (plotBottom - plotTop))
    }

    /// A document of the frame's size with a white background, title, grid, axes and labels;
    /// the series are drawn on top of it.
    func document() -> SVGDocument {
        var document = SVGDocument(width: width, height: height)
        document.rect(x: 0, y: 0, width: width, height: height, fill: "#ffffff")
        document.text(title, at: SVGPoint(x: (plotLeft + plotRight) / 2, y: 28),
                      size: Self.titleSize, anchor: .middle, bold: true)
        for (tick, label) in zip(x.ticks, x.tickLabels) {
            let position = point(tick, y.domain.lowerBound)
            document.line(from: SVGPoint(x: position.x, y: plotTop), to: position, stroke: "#e5e5e5")
            document.line(from: position, to: SVGPoint(x: position.x, y: position.y + Self.tickLength), stroke: "#333333")
            document.text(label, at: SVGPoint(x: position.x, y: plotBottom + Self.tickLength + 4 + Self.tickSize),
                          size: Self.tickSize, anchor: .middle)
        }
        for (tick, label) in zip(y.ticks, y.tickLabels) {
            let position = point(x.domain.lowerBound, tick)
            document.line(from: SVGPoint(x: plotRight, y: position.y), to: position, stroke: "#e5e5e5")
            document.line(from: position, to: SVGPoint(x: position.x - Self.tickLength, y: position.y), stroke: "#333333")
            document.text(label, at: SVGPoint(x: plotLeft - Self.tickLength - 3, y: position.y),
                          size: Self.tickSize, anchor: .end, baseline: .middle)
        }
        document.rect(x: plotLeft, y: plotTop, width: plotRight - plotLeft, height: plotBottom - plotTop,
                      fill: "none", stroke: "#333333")
        document.text(x.label, at: SVGPoint(x: (plotLeft + plotRight) / 2, y: height - 16),
                      size: Self.labelSize, anchor: .middle)
        let yLabelPosition = SVGPoint(x: 20 + Self.labelSize / 2, y: (plotTop + plotBottom) / 2)
        document.text(y.label, at: yLabelPosition, size: Self.labelSize, anchor: .middle, baseline: .middle, rotation: -90)
        return document
    }

    /// Draws a legend box listing `entries` at `placement`.
    func drawLegend(_ entries: [LegendEntry], at placement: LegendPlacement, on document: inout SVGDocument) {
        guard !entries.isEmpty else { return }
        let size = Self.legendBoxSize(entries)
        let inset = 10.0
        let origin: SVGPoint
        switch placement {
        case .insideTopLeft: origin = SVGPoint(x: plotLeft + inset, y: plotTop + inset)
        case .insideTopRight: origin = SVGPoint(x: plotRight - inset - size.width, y: plotTop + inset)
        case .insideBottomRight: origin = SVGPoint(x: plotRight - inset - size.width, y: plotBottom - inset - size.height)
        case .outsideRight: origin = SVGPoint(x: plotRight + 20, y: plotTop)
        }
        document.rect(x: origin.x, y: origin.y, width: size.width, height: size.height,
                      fill: "#ffffff", stroke: "#bbbbbb", opacity: 0.9)
        for (row, entry) in entries.enumerated() {
            let middle = origin.y + Self.legendPadding + (Double(row) + 0.5) * Self.legendRowHeight
            let swatchStart = origin.x + Self.legendPadding
            switch entry.mark {
            case .line(let dash):
                document.line(from: SVGPoint(x: swatchStart, y: middle),
                              to: SVGPoint(x: swatchStart + Self.legendSwatchWidth, y: middle),
                              stroke: entry.colour, strokeWidth: 2.5, dash: dash)
            case .dot:
                document.circle(center: SVGPoint(x: swatchStart + Self.legendSwatchWidth / 2, y: middle),
                                radius: 4.5, fill: entry.colour)
            }
            document.text(entry.label, at: SVGPoint(x: swatchStart + Self.legendSwatchWidth + 8, y: middle),
                          size: Self.legendSize, baseline: .middle)
        }
    }

    private static let legendPadding = 8.0
    private static let legendRowHeight = 20.0
    private static let legendSwatchWidth = 28.0

    private static func legendBoxSize(_ entries: [LegendEntry]) -> (width: Double, height: Double) {
        let widestLabel = entries.map { SVGDocument.estimatedWidth(of: $0.label, size: legendSize) }.max() ?? 0
        return (2 * legendPadding + legendSwatchWidth + 8 + widestLabel,
                2 * legendPadding + Double(entries.count) * legendRowHeight)
    }
}

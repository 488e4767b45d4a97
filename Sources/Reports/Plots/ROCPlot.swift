import Evaluation
import Foundation

/// ROC curves with their AUC in the legend and the chance diagonal (paper figures 11 and 13):
/// one curve per class of one model, or one per model for `bstrain compare`.
public enum ROCPlot {
    /// plots/roc.svg: each curve drawn in its own colour and listed as "label (AUC = 0.953)".
    /// - Parameter bands: none, or one per curve: its pointwise 95% band (`ROCBand`), shaded
    ///   in the curve's colour beneath it; nil leaves that curve without one.
    public static func svg(
        _ curves: [(label: String, curve: ROCCurve)], bands: [ROCBand?] = [], title: String = "ROC curve"
    ) -> String {
        precondition(bands.isEmpty || bands.count == curves.count, "one band, or nil, per ROC curve")
        let frame = PlotFrame(
            title: title,
            x: .unitInterval(label: "false positive rate (1 − specificity)"),
            y: .unitInterval(label: "true positive rate (sensitivity)"),
            width: 540, height: 560)
        var document = frame.document()
        let chance = "#999999"
        document.line(from: frame.point(0, 0), to: frame.point(1, 1), stroke: chance, strokeWidth: 1.5, dash: "6 4")
        // Bands first, so that no band covers another curve.
        for (index, band) in bands.enumerated() {
            guard let band else { continue }
            let upper = zip(band.falsePositiveRates, band.upper).map { frame.point($0, $1) }
            let lower = zip(band.falsePositiveRates, band.lower).map { frame.point($0, $1) }
            document.polygon(upper + lower.reversed(), fill: PlotPalette.colour(index), opacity: 0.2)
        }
        var legend: [LegendEntry] = []
        for (index, (label, curve)) in curves.enumerated() {
            let colour = PlotPalette.colour(index)
            document.polyline(curve.points.map { frame.point($0.falsePositiveRate, $0.truePositiveRate) }, stroke: colour)
            legend.append(LegendEntry(label: "\(label) (AUC = \(String(format: "%.3f", curve.auc)))", colour: colour, mark: .line(dash: nil)))
        }
        if bands.contains(where: { $0 != nil }) {
            legend.append(LegendEntry(label: bandCaption, colour: PlotPalette.colour(0), mark: .dot))
        }
        legend.append(LegendEntry(label: "chance (AUC = 0.5)", colour: chance, mark: .line(dash: "6 4")))
        frame.drawLegend(legend, at: .insideBottomRight, on: &document)
        return document.xml
    }

    /// The legend's word on the shading; the method in full is in docs/method.md ("ROC band").
    static let bandCaption = "shaded: pointwise 95% bootstrap band"
}

import Evaluation
import Foundation

/// ROC curves with their AUC in the legend and the chance diagonal (paper figures 11 and 13):
/// one curve per class of one model, or one per model for `bstrain compare`.
public enum ROCPlot {
    /// plots/roc.svg: each curve drawn in its own colour and listed as "label (AUC = 0.953)".
    public static func svg(_ curves: [(label: String, curve: ROCCurve)], title: String = "ROC curve") -> String {
        let frame = PlotFrame(
            title: title,
            x: .unitInterval(label: "false positive rate (1 − specificity)"),
            y: .unitInterval(label: "true positive rate (sensitivity)"),
            width: 540, height: 560)
        var document = frame.document()
        let chance = "#999999"
        document.line(from: frame.point(0, 0), to: frame.point(1, 1), stroke: chance, strokeWidth: 1.5, dash: "6 4")
        var legend: [LegendEntry] = []
        for (index, (label, curve)) in curves.enumerated() {
            let colour = PlotPalette.colour(index)
            document.polyline(curve.points.map { frame.point($0.falsePositiveRate, $0.truePositiveRate) }, stroke: colour)
            legend.append(LegendEntry(label: "\(label) (AUC = \(String(format: "%.3f", curve.auc)))", colour: colour, mark: .line(dash: nil)))
        }
        legend.append(LegendEntry(label: "chance (AUC = 0.5)", colour: chance, mark: .line(dash: "6 4")))
        frame.drawLegend(legend, at: .insideBottomRight, on: &document)
        return document.xml
    }
}

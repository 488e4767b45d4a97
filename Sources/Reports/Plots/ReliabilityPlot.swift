import Evaluation
import Foundation

/// The reliability diagram (Guo et al. 2017, figure 1): per confidence bin, a bar of the
/// accuracy of its samples, the gap to the bin's mean confidence shaded, and the diagonal a
/// perfectly calibrated model would follow. The title carries the ECE and Brier score.
public enum ReliabilityPlot {
    /// plots/reliability.svg.
    public static func svg(_ calibration: Calibration, title: String = "Reliability diagram") -> String {
        let frame = PlotFrame(
            title: String(format: "%@ (ECE %.3f, Brier %.3f)", title, calibration.expectedCalibrationError, calibration.brierScore),
            x: .unitInterval(label: "confidence (largest probability)"),
            y: .unitInterval(label: "accuracy"),
            width: 540, height: 560)
        var document = frame.document()
        let accuracyColour = PlotPalette.colour(0)
        let gapColour = "#d62728"
        for bin in calibration.bins {
            guard let accuracy = bin.accuracy, let confidence = bin.confidence else { continue }
            let topLeft = frame.point(bin.lower, accuracy)
            let bottomRight = frame.point(bin.upper, 0)
            document.rect(
                x: topLeft.x, y: topLeft.y, width: bottomRight.x - topLeft.x, height: bottomRight.y - topLeft.y,
                fill: accuracyColour, stroke: "#ffffff", opacity: 0.85)
            let gapTop = frame.point(bin.lower, max(accuracy, confidence))
            let gapBottom = frame.point(bin.upper, min(accuracy, confidence))
            document.rect(
                x: gapTop.x, y: gapTop.y, width: gapBottom.x - gapTop.x, height: gapBottom.y - gapTop.y,
                fill: gapColour, opacity: 0.3)
        }
        let ideal = "#999999"
        document.line(from: frame.point(0, 0), to: frame.point(1, 1), stroke: ideal, strokeWidth: 1.5, dash: "6 4")
        frame.drawLegend([
            LegendEntry(label: "accuracy of the bin", colour: accuracyColour, mark: .dot),
            LegendEntry(label: "gap to its mean confidence", colour: gapColour, mark: .dot),
            LegendEntry(label: "perfect calibration", colour: ideal, mark: .line(dash: "6 4")),
        ], at: .insideTopLeft, on: &document)
        return document.xml
    }
}

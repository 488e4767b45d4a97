import Evaluation
import Foundation

/// The confusion matrix normalised by true class as a heat map (paper figure 9): rows are true
/// classes, columns predicted classes, each cell showing its share of the row and its count.
public enum ConfusionMatrixPlot {
    /// plots/confusion.svg. A class with no samples has no row distribution: its row is grey
    /// and reads "n/a".
    public static func svg(
        _ matrix: ConfusionMatrix, classNames: [String],
        title: String = "Confusion matrix (normalised by true class)"
    ) -> String {
        precondition(classNames.count == matrix.classCount, "one class name per row of the confusion matrix")
        let classCount = matrix.classCount
        let cell = min(120, max(56, 480 / Double(classCount)))
        let grid = cell * Double(classCount)
        let nameSize = 12.0
        let widestName = classNames.map { SVGDocument.estimatedWidth(of: $0, size: nameSize) }.max() ?? 0
        // Column names that do not fit under their cell are turned 40° to fit.
        let slanted = widestName > cell - 6
        let columnNameHeight = slanted ? widestName * sin(40 * .pi / 180) + nameSize : nameSize + 4

        let left = 24 + PlotFrame.labelSize + 10 + widestName + 8
        let top = 56.0
        let colourBarLeft = left + grid + 24
        let width = max(colourBarLeft + 16 + 40, left + grid / 2 + SVGDocument.estimatedWidth(of: title, size: PlotFrame.titleSize) / 2 + 16)
        let height = top + grid + 8 + columnNameHeight + 16 + PlotFrame.labelSize + 16

        var document = SVGDocument(width: width, height: height)
        document.rect(x: 0, y: 0, width: width, height: height, fill: "#ffffff")
        document.text(title, at: SVGPoint(x: left + grid / 2, y: 30), size: PlotFrame.titleSize, anchor: .middle, bold: true)

        let valueSize = min(18, cell / 4)
        for (row, shares) in matrix.rowNormalized().enumerated() {
            for column in 0..<classCount {
                let x = left + Double(column) * cell
                let y = top + Double(row) * cell
                let centre = SVGPoint(x: x + cell / 2, y: y + cell / 2)
                guard let share = shares?[column] else {
                    document.rect(x: x, y: y, width: cell, height: cell, fill: "#eeeeee", stroke: "#ffffff")
                    document.text("n/a", at: centre, size: valueSize, anchor: .middle, baseline: .middle, fill: "#888888")
                    continue
                }
                let ink = share > 0.5 ? "#ffffff" : "#222222"
                document.rect(x: x, y: y, width: cell, height: cell, fill: PlotPalette.blues(share), stroke: "#ffffff")
                document.text(String(format: "%.2f", share), at: SVGPoint(x: centre.x, y: centre.y - valueSize * 0.35),
                              size: valueSize, anchor: .middle, baseline: .middle, bold: true, fill: ink)
                document.text("(\(matrix[row, column]))", at: SVGPoint(x: centre.x, y: centre.y + valueSize * 0.75),
                              size: valueSize * 0.65, anchor: .middle, baseline: .middle, fill: ink)
            }
        }
        document.rect(x: left, y: top, width: grid, height: grid, fill: "none", stroke: "#333333")

        for (index, name) in classNames.enumerated() {
            let middle = Double(index) * cell + cell / 2
            document.text(name, at: SVGPoint(x: left - 8, y: top + middle), size: nameSize, anchor: .end, baseline: .middle)
            if slanted {
                document.text(name, at: SVGPoint(x: left + middle, y: top + grid + 12), size: nameSize,
                              anchor: .end, baseline: .middle, rotation: -40)
            } else {
                document.text(name, at: SVGPoint(x: left + middle, y: top + grid + 8 + nameSize), size: nameSize, anchor: .middle)
            }
        }
        document.text("predicted class", at: SVGPoint(x: left + grid / 2, y: height - 16),
                      size: PlotFrame.labelSize, anchor: .middle)
        document.text("true class", at: SVGPoint(x: 20 + PlotFrame.labelSize / 2, y: top + grid / 2),
                      size: PlotFrame.labelSize, anchor: .middle, baseline: .middle, rotation: -90)
        drawColourBar(on: &document, left: colourBarLeft, top: top, height: grid)
        return document.xml
    }

    /// The share-to-colour key: a vertical bar from 0 (bottom) to 1 (top) with three ticks.
    private static func drawColourBar(on document: inout SVGDocument, left: Double, top: Double, height: Double) {
        let steps = 50
        for step in 0..<steps {
            let value = (Double(step) + 0.5) / Double(steps)
            let y = top + height * (1 - Double(step + 1) / Double(steps))
            // A hair of overlap so that no background line shows between the bands.
            document.rect(x: left, y: y, width: 16, height: height / Double(steps) + 0.5, fill: PlotPalette.blues(value))
        }
        document.rect(x: left, y: top, width: 16, height: height, fill: "none", stroke: "#333333")
        for value in [0.0, 0.5, 1.0] {
            let y = top + height * (1 - value)
            document.line(from: SVGPoint(x: left + 16, y: y), to: SVGPoint(x: left + 20, y: y), stroke: "#333333")
            document.text(String(format: "%.1f", value), at: SVGPoint(x: left + 23, y: y),
                          size: PlotFrame.tickSize, baseline: .middle)
        }
    }
}

import Evaluation
import Foundation

/// Embeddings projected onto their top two principal components, one colour per class
/// (paper figure 6), showing whether the metric loss pulled the classes apart.
public enum EmbeddingPlot {
    /// plots/embeddings-pca.svg: sample i drawn at `projection`'s row i in the colour of
    /// `labels[i]`; samples are drawn in their given order so that no class hides another wholesale.
    public static func svg(
        _ projection: PCA, labels: [Int], classNames: [String], title: String = "Embeddings, first two principal components"
    ) -> String {
        precondition(labels.count == projection.sampleCount, "one label per projected embedding")
        precondition(labels.allSatisfy { (0..<classNames.count).contains($0) }, "labels must index classNames")
        let coordinates = projection.coordinates.map(Double.init)
        let xs = stride(from: 0, to: coordinates.count, by: 2).map { coordinates[$0] }
        let ys = stride(from: 1, to: coordinates.count, by: 2).map { coordinates[$0] }
        let legend = classNames.enumerated().map { LegendEntry(label: $1, colour: PlotPalette.colour($0), mark: .dot) }
        let frame = PlotFrame(
            title: title,
            x: .covering(xs.min()!...xs.max()!, label: axisLabel(component: 1, ratio: projection.explainedVarianceRatio[0])),
            y: .covering(ys.min()!...ys.max()!, label: axisLabel(component: 2, ratio: projection.explainedVarianceRatio[1])),
            outsideLegend: legend)
        var document = frame.document()
        for (sample, label) in labels.enumerated() {
            document.circle(center: frame.point(xs[sample], ys[sample]), radius: 3.5,
                            fill: PlotPalette.colour(label), opacity: 0.7)
        }
        frame.drawLegend(legend, at: .outsideRight, on: &document)
        return document.xml
    }

    private static func axisLabel(component: Int, ratio: Double) -> String {
        "PC\(component) (" + String(format: "%.1f", ratio * 100) + "% of variance)"
    }
}

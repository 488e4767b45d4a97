/// Training and validation loss per epoch (paper figures 7-8), with the cross-entropy and
/// metric-loss parts as dashed and dotted lines in the same colour.
public enum LossCurvePlot {
    private typealias Series = (label: String, colour: String, dash: String?, value: (HistoryRow) -> Double)

    /// plots/loss.svg for `history` (one row per epoch, in order). `showsParts` adds the
    /// cross-entropy and metric-loss parts; leave it off for `--loss ce`, where the total is
    /// the cross-entropy. A value that is not finite (a NaN loss, or no validation split)
    /// leaves a gap in its curve.
    public static func svg(_ history: [HistoryRow], showsParts: Bool, title: String = "Loss per epoch") -> String {
        let train = PlotPalette.colour(0)
        let validation = PlotPalette.colour(1)
        let (dashed, dotted) = ("7 4", "2 3")
        let totals: [Series] = [
            ("train", train, nil, \.trainLoss),
            ("validation", validation, nil, \.validationLoss),
        ]
        let parts: [Series] = [
            ("train CE", train, dashed, \.trainCrossEntropy),
            ("train metric loss", train, dotted, \.trainMetric),
            ("validation CE", validation, dashed, \.validationCrossEntropy),
            ("validation metric loss", validation, dotted, \.validationMetric),
        ]
        let candidates = showsParts ? totals + parts : totals
        let series = candidates.filter { candidate in
            history.contains { candidate.value($0).isFinite }
        }
        let values = series.flatMap { candidate in history.map(candidate.value).filter(\.isFinite) }
        let epochs = history.map { Double($0.epoch) }
        let legend = series.map { LegendEntry(label: $0.label, colour: $0.colour, mark: .line(dash: $0.dash)) }
        let frame = PlotFrame(
            title: title,
            x: .covering((epochs.min() ?? 0)...(epochs.max() ?? 1), label: "epoch", integer: true),
            y: .covering(min(values.min() ?? 0, 0)...(values.max() ?? 1), label: "loss"),
            outsideLegend: legend)

        var document = frame.document()
        for candidate in series {
            for segment in finiteRuns(history.map { (Double($0.epoch), candidate.value($0)) }) {
                let points = segment.map { frame.point($0.x, $0.y) }
                if points.count == 1 {
                    document.circle(center: points[0], radius: 3, fill: candidate.colour)
                } else {
                    document.polyline(points, stroke: candidate.colour, dash: candidate.dash)
                }
            }
        }
        frame.drawLegend(legend, at: .outsideRight, on: &document)
        return document.xml
    }

    /// The stretches of consecutive points whose value is finite.
    private static func finiteRuns(_ points: [(x: Double, y: Double)]) -> [[(x: Double, y: Double)]] {
        var runs: [[(x: Double, y: Double)]] = [[]]
        for point in points {
            if point.y.isFinite {
                runs[runs.count - 1].append(point)
            } else if !runs[runs.count - 1].isEmpty {
                runs.append([])
            }
        }
        return runs.filter { !$0.isEmpty }
    }
}

import Testing
@testable import Reports

@Suite struct LossCurvePlotTests {
    static func row(
        epoch: Int, train: Double, validation: Double, trainCrossEntropy: Double = 0, trainMetric: Double = 0
    ) -> HistoryRow {
        HistoryRow(
            epoch: epoch, learningRate: 0.001, trainLoss: train, trainCrossEntropy: trainCrossEntropy,
            trainMetric: trainMetric, validationLoss: validation, validationCrossEntropy: validation / 2,
            validationMetric: validation / 2, validationAccuracy: 0.5, validationAUC: nil,
            validationMeanSensitivity: nil, validationMeanSpecificity: nil, seconds: 1)
    }

    @Test func drawsTotalsSolidAndPartsDashedOrDottedWithALegend() throws {
        let history = (1...5).map { epoch in
            Self.row(epoch: epoch, train: 2 / Double(epoch), validation: 2.2 / Double(epoch),
                     trainCrossEntropy: 1 / Double(epoch), trainMetric: 1 / Double(epoch))
        }
        let parsed = try #require(ParsedSVG(LossCurvePlot.svg(history, showsParts: true, title: "MobileNet & BST")))
        let curves = parsed.elements(named: "polyline")
        #expect(curves.count == 6)
        #expect(curves.filter { $0.attributes["stroke-dasharray"] == nil }.count == 2)
        #expect(curves.allSatisfy { $0.attributes["points"]?.split(separator: " ").count == 5 })
        for label in ["MobileNet & BST", "epoch", "loss", "train", "validation", "train CE", "train metric loss",
                      "validation CE", "validation metric loss"] {
            #expect(parsed.texts.contains(label))
        }
    }

    @Test func withoutPartsOnlyTheTotalsAreDrawn() throws {
        let history = (1...3).map { Self.row(epoch: $0, train: 1 / Double($0), validation: 1.1 / Double($0)) }
        let parsed = try #require(ParsedSVG(LossCurvePlot.svg(history, showsParts: false)))
        #expect(parsed.elements(named: "polyline").count == 2)
        #expect(!parsed.texts.contains("train CE"))
    }

    @Test func nonFiniteLossesLeaveGaps() throws {
        let history = [
            Self.row(epoch: 1, train: 1, validation: 1),
            Self.row(epoch: 2, train: 0.8, validation: .nan),
            Self.row(epoch: 3, train: .nan, validation: 0.9),
            Self.row(epoch: 4, train: 0.5, validation: 0.8),
            Self.row(epoch: 5, train: 0.4, validation: 0.7),
        ]
        let parsed = try #require(ParsedSVG(LossCurvePlot.svg(history, showsParts: false)))
        // train: epochs 1-2 and 4-5; validation: epoch 1 alone (a dot) and 3-5.
        #expect(parsed.elements(named: "polyline").map { $0.attributes["points"]!.split(separator: " ").count } == [2, 2, 3])
        #expect(parsed.elements(named: "circle").count == 1)
        #expect(!parsed.elements(named: "polyline").contains { $0.attributes["points"]!.contains("nan") })
    }

    @Test func emptyHistoryStillGivesAWellFormedPlot() throws {
        let parsed = try #require(ParsedSVG(LossCurvePlot.svg([], showsParts: true)))
        #expect(parsed.elements(named: "polyline").isEmpty)
        #expect(parsed.texts.contains("Loss per epoch"))
    }
}

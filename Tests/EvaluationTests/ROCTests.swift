import Engine
import Support
import Testing
@testable import Evaluation

@Suite struct ROCTests {
    @Test func pointsAreOnePerDistinctScoreFromTheTopDown() throws {
        // Sorted: 0.9 P, 0.6 N, 0.4 P, 0.35 N, 0.2 N, 0.1 N (2 positives, 4 negatives).
        let curve = try #require(ROCCurve(
            scores: [0.1, 0.2, 0.6, 0.35, 0.9, 0.4], isPositive: [false, false, false, false, true, true]))
        #expect(curve.points.map(\.threshold) == [.infinity, 0.9, 0.6, 0.4, 0.35, 0.2, 0.1])
        #expect(curve.points.map(\.falsePositiveRate) == [0, 0, 0.25, 0.25, 0.5, 0.75, 1])
        #expect(curve.points.map(\.truePositiveRate) == [0, 0.5, 0.5, 1, 1, 1, 1])
        #expect(curve.auc == 0.875)
    }

    @Test func tiedScoresFormOneDiagonalStepCountedHalf() throws {
        // Three samples tie at 0.5 (2 positives, 1 negative): one point, reached diagonally.
        let curve = try #require(ROCCurve(scores: [0.5, 0.5, 0.5, 0.2], isPositive: [true, false, true, false]))
        #expect(curve.points.map(\.threshold) == [.infinity, 0.5, 0.2])
        #expect(curve.points.map(\.falsePositiveRate) == [0, 0.5, 1])
        #expect(curve.points.map(\.truePositiveRate) == [0, 1, 1])
        // Mann-Whitney: each positive ties the 0.5 negative (½) and beats 0.2 (1): 3 of 4 pairs.
        #expect(curve.auc == 0.75)
    }

    @Test func allScoresTiedGiveTheChanceDiagonal() throws {
        let curve = try #require(ROCCurve(scores: [0.3, 0.3, 0.3], isPositive: [true, false, false]))
        #expect(curve.points.count == 2)
        #expect(curve.auc == 0.5)
    }

    @Test func curveIsUndefinedWithoutPositivesOrNegatives() {
        #expect(ROCCurve(scores: [0.1, 0.9], isPositive: [false, false]) == nil)
        #expect(ROCCurve(scores: [0.1, 0.9], isPositive: [true, true]) == nil)
    }

    @Test func aucEqualsBruteForceMannWhitneyOnRandomScoresWithTies() throws {
        var generator = SplitMix64(seed: 11)
        for trial in 0..<20 {
            let count = 5 + trial * 7
            // Scores on a grid of 21 values so that ties are common.
            let scores = (0..<count).map { _ in (generator.nextUniform() * 20).rounded() / 20 }
            var isPositive = (0..<count).map { _ in generator.nextUniform() < 0.4 }
            isPositive[0] = true
            isPositive[1] = false
            var wins = 0.0
            var pairs = 0.0
            for positive in scores.indices where isPositive[positive] {
                for negative in scores.indices where !isPositive[negative] {
                    pairs += 1
                    if scores[positive] > scores[negative] { wins += 1 }
                    if scores[positive] == scores[negative] { wins += 0.5 }
                }
            }
            let curve = try #require(ROCCurve(scores: scores, isPositive: isPositive))
            #expect(abs(curve.auc - wins / pairs) < 1e-12)
        }
    }

    @Test func curveIsMonotoneFromOriginToOneOne() throws {
        var generator = SplitMix64(seed: 5)
        let scores = (0..<200).map { _ in (generator.nextUniform() * 50).rounded() / 50 }
        let isPositive = (0..<200).map { $0 % 3 == 0 }
        let curve = try #require(ROCCurve(scores: scores, isPositive: isPositive))
        let first = try #require(curve.points.first)
        let last = try #require(curve.points.last)
        #expect(first.falsePositiveRate == 0 && first.truePositiveRate == 0)
        #expect(last.falsePositiveRate == 1 && last.truePositiveRate == 1)
        for (before, after) in zip(curve.points, curve.points.dropFirst()) {
            #expect(after.threshold < before.threshold)
            #expect(after.falsePositiveRate >= before.falsePositiveRate)
            #expect(after.truePositiveRate >= before.truePositiveRate)
        }
        #expect(curve.points.count == Set(scores).count + 1)
    }

    @Test func oneVsRestScoresEachClassByItsOwnColumn() throws {
        let probabilities: [Float] = [0.7, 0.2, 0.1, 0.1, 0.7, 0.2, 0.3, 0.3, 0.4]
        let curves = try ROCCurve.oneVsRest(probabilities: probabilities, labels: [0, 1, 1], classCount: 3)
        #expect(curves[0] == ROCCurve(scores: [0.7, 0.1, 0.3], isPositive: [true, false, false]))
        #expect(curves[1] == ROCCurve(scores: [0.2, 0.7, 0.3], isPositive: [false, true, true]))
        #expect(curves[2] == nil)
    }

    @Test func csvListsEveryPointWithSplitAndQuotedClassNames() throws {
        let curve = try #require(ROCCurve(scores: [0.8, 0.3], isPositive: [true, false]))
        let csv = ROCCurve.csv([
            (split: "validation", classNames: ["a,b", "c"], curves: [curve, nil]),
            (split: "test", classNames: ["say \"hi\""], curves: [curve]),
        ])
        #expect(csv == #"""
            split,class,threshold,fpr,tpr
            validation,"a,b",inf,0.0,0.0
            validation,"a,b",0.8,0.0,1.0
            validation,"a,b",0.3,1.0,1.0
            test,"say ""hi""",inf,0.0,0.0
            test,"say ""hi""",0.8,0.0,1.0
            test,"say ""hi""",0.3,1.0,1.0

            """#)
    }
}

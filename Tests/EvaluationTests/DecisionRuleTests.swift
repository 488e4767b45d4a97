import Evaluation
import Support
import Testing

@Suite struct DecisionRuleTests {
    static func balancedAccuracy(_ rule: DecisionRule, scores: [Float], labels: [Int]) -> Double {
        let probabilities = scores.flatMap { [1 - $0, $0] }
        let predicted = labels.indices.map { rule.predictedClass(probabilities[2 * $0..<2 * $0 + 2]) }
        let sensitivity = (0..<2).map { label in
            Double(labels.indices.count { labels[$0] == label && predicted[$0] == label }) / Double(labels.count { $0 == label })
        }
        return (sensitivity[0] + sensitivity[1]) / 2
    }

    /// Against every cut between two distinct scores, found by brute force.
    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func youdensThresholdReachesTheBestBalancedAccuracyBetweenSamples(seed: UInt64) throws {
        var generator = SplitMix64(seed: seed)
        let labels = (0..<60).map { _ in Int.random(in: 0...3, using: &generator) == 0 ? 0 : 1 }
        // Class 1 scores high on average, with overlap, as an imbalanced validation split gives.
        let scores = labels.map { Float.random(in: 0...0.7, using: &generator) + ($0 == 1 ? 0.3 : 0) }
        let rule = try #require(DecisionRule.youden(probabilities: scores.flatMap { [1 - $0, $0] }, labels: labels))
        let distinct = Set(scores).sorted()
        let cuts = zip(distinct, distinct.dropFirst()).map { ($0 + $1) / 2 } + [distinct[0]]
        let best = cuts.map { Self.balancedAccuracy(.threshold($0), scores: scores, labels: labels) }.max()!
        #expect(abs(Self.balancedAccuracy(rule, scores: scores, labels: labels) - best) < 1e-12)
        guard case .threshold(let threshold) = rule else { Issue.record("expected a threshold"); return }
        #expect(!scores.contains(threshold))
    }

    @Test func argmaxTakesTheLowestIndexOnATieAndAThresholdOnlyReadsTwoClasses() {
        #expect(DecisionRule.argmax.predictedClass([0.5, 0.5]) == 0)
        #expect(DecisionRule.argmax.predictedClass([0.2, 0.4, 0.4]) == 1)
        #expect(DecisionRule.threshold(0.9).predictedClass([0.2, 0.8]) == 0)
        #expect(DecisionRule.threshold(0.3).predictedClass([0.65, 0.35]) == 1)
        #expect(DecisionRule.threshold(0.3).predictedClass([0.6, 0.1, 0.3]) == 0)
    }

    @Test func oneClassOrMoreThanTwoGiveNoThreshold() {
        #expect(DecisionRule.youden(probabilities: [0.4, 0.6, 0.3, 0.7], labels: [1, 1]) == nil)
        #expect(DecisionRule.youden(probabilities: [0.2, 0.3, 0.5], labels: [2]) == nil)
    }

    /// Pooled folds: each sample called by its own fold's rule.
    @Test func metricsOfGivenClassesKeepTheAUCOfTheProbabilities() throws {
        let probabilities: [Float] = [0.8, 0.2, 0.6, 0.4, 0.3, 0.7]
        let given = try ClassificationMetrics(probabilities: probabilities, labels: [0, 1, 1], classNames: ["a", "b"], predicted: [0, 1, 0])
        let byArgmax = try ClassificationMetrics(probabilities: probabilities, labels: [0, 1, 1], classNames: ["a", "b"])
        #expect(given.confusionMatrix[1, 1] == 1 && given.confusionMatrix[1, 0] == 1)
        #expect(given.auc == byArgmax.auc)
    }

    @Test func metricsFollowTheRule() throws {
        let probabilities: [Float] = [0.8, 0.2, 0.6, 0.4, 0.3, 0.7]
        let byArgmax = try ClassificationMetrics(probabilities: probabilities, labels: [0, 1, 1], classNames: ["a", "b"])
        let byThreshold = try ClassificationMetrics(
            probabilities: probabilities, labels: [0, 1, 1], classNames: ["a", "b"], rule: .threshold(0.3))
        #expect(abs(byArgmax.accuracy - 2.0 / 3) < 1e-12)
        #expect(byThreshold.accuracy == 1)
        #expect(byArgmax.auc == byThreshold.auc)
    }
}

import Foundation
import Testing
@testable import Evaluation

@Suite struct MetricsTests {
    /// Two classes, worked by hand. p(pneumonia) per sample, labels 0 0 0 0 1 1:
    /// 0.1 0.2 0.6 0.35 | 0.9 0.4 → predicted 0 0 1 0 | 1 0.
    /// Confusion [[3, 1], [1, 1]]. Pneumonia: TP 1, FN 1, FP 1, TN 3 → SEN 1/2, SPE 3/4.
    /// Normal: TP 3, FN 1, FP 1, TN 1 → SEN 3/4, SPE 1/2. ACC 4/6.
    /// AUC: 0.9 beats all 4 negatives, 0.4 beats 0.1, 0.2, 0.35 → 7/8.
    static let binaryProbabilities: [Float] = [0.9, 0.1, 0.8, 0.2, 0.4, 0.6, 0.65, 0.35, 0.1, 0.9, 0.6, 0.4]
    static let binaryLabels = [0, 0, 0, 0, 1, 1]

    @Test func binaryCaseMatchesHandComputation() throws {
        let metrics = try ClassificationMetrics(
            probabilities: Self.binaryProbabilities, labels: Self.binaryLabels, classNames: ["normal", "pneumonia"])
        #expect(metrics.confusionMatrix.rows == [[3, 1], [1, 1]])
        #expect(metrics.sensitivity == [0.75, 0.5])
        #expect(metrics.specificity == [0.5, 0.75])
        #expect(metrics.meanSensitivity == 0.625)
        #expect(metrics.meanSpecificity == 0.625)
        #expect(metrics.accuracy == 4.0 / 6.0)
        #expect(metrics.auc == 0.875)
        // The normal class's curve ranks by 1 − p, the same order reversed: the same AUC.
        #expect(metrics.classAUC == [0.875, 0.875])
    }

    /// Three classes, worked by hand. Rows (a, b, c) and labels:
    ///   a: (.7 .2 .1) (.5 .3 .2) (.3 .6 .1)            → predicted a a b
    ///   b: (.2 .5 .3) (.1 .4 .5)                       → predicted b c
    ///   c: (.1 .2 .7) (.2 .2 .6) (.4 .35 .25) (.25 .45 .3) → predicted c c a b
    /// Confusion [[2,1,0],[0,1,1],[1,1,2]], N = 9, ACC 5/9.
    /// a: TP 2 FN 1 FP 1 TN 5; b: TP 1 FN 1 FP 2 TN 5; c: TP 2 FN 2 FP 1 TN 4.
    /// AUC a: positives .7 .5 .3 against .2 .1 .1 .2 .4 .25 → 6 + 6 + 5 = 17 of 18.
    /// AUC b: positives .5 .4 against .2 .3 .6 .2 .2 .35 .45 → 6 + 5 = 11 of 14.
    /// AUC c: positives .7 .6 .25 .3 against .1 .2 .1 .3 .5 → 5 + 5 + 3 + (3 + ½ for the .3 tie) = 16.5 of 20.
    @Test func threeClassCaseMatchesHandComputation() throws {
        let probabilities: [Float] = [
            0.7, 0.2, 0.1, 0.5, 0.3, 0.2, 0.3, 0.6, 0.1,
            0.2, 0.5, 0.3, 0.1, 0.4, 0.5,
            0.1, 0.2, 0.7, 0.2, 0.2, 0.6, 0.4, 0.35, 0.25, 0.25, 0.45, 0.3,
        ]
        let metrics = try ClassificationMetrics(
            probabilities: probabilities, labels: [0, 0, 0, 1, 1, 2, 2, 2, 2], classNames: ["a", "b", "c"])
        #expect(metrics.confusionMatrix.rows == [[2, 1, 0], [0, 1, 1], [1, 1, 2]])
        let expectedSensitivity: [Double?] = [2.0 / 3, 0.5, 0.5]
        let expectedSpecificity: [Double?] = [5.0 / 6, 5.0 / 7, 4.0 / 5]
        #expect(metrics.sensitivity == expectedSensitivity)
        #expect(metrics.specificity == expectedSpecificity)
        #expect(abs(metrics.meanSensitivity! - 5.0 / 9) < 1e-12)
        #expect(abs(metrics.meanSpecificity! - 493.0 / 630) < 1e-12)
        #expect(metrics.accuracy == 5.0 / 9)
        let expectedAUC = [17.0 / 18, 11.0 / 14, 16.5 / 20]
        for (actual, expected) in zip(metrics.classAUC, expectedAUC) { #expect(abs(actual! - expected) < 1e-12) }
        #expect(abs(metrics.auc! - expectedAUC.reduce(0, +) / 3) < 1e-12)
    }

    /// Class c is never predicted: labels a a b b c c, predicted a a b b a b.
    /// c: TP 0 FN 2 FP 0 TN 4 → SEN 0, SPE 1. a and b: TP 2 FN 0 FP 1 TN 3 → SEN 1, SPE 3/4.
    @Test func classNeverPredictedHasZeroSensitivityAndFullSpecificity() throws {
        let probabilities: [Float] = [
            0.8, 0.1, 0.1, 0.6, 0.3, 0.1, 0.1, 0.8, 0.1, 0.2, 0.5, 0.3, 0.5, 0.2, 0.3, 0.3, 0.4, 0.3,
        ]
        let metrics = try ClassificationMetrics(
            probabilities: probabilities, labels: [0, 0, 1, 1, 2, 2], classNames: ["a", "b", "c"])
        #expect(metrics.confusionMatrix.rows == [[2, 0, 0], [0, 2, 0], [1, 1, 0]])
        #expect(metrics.sensitivity == [1, 1, 0])
        #expect(metrics.specificity == [0.75, 0.75, 1])
        #expect(metrics.accuracy == 4.0 / 6)
    }

    /// Class c is absent from the labels (but predicted once): labels a a b b, predicted a c b b.
    /// c: SEN and AUC undefined, SPE = TN/(TN+FP) = 3/4. a: SEN 1/2, SPE 1; b: SEN 1, SPE 1.
    @Test func classAbsentFromLabelsIsUndefinedAndLeftOutOfTheMeans() throws {
        let probabilities: [Float] = [0.7, 0.2, 0.1, 0.3, 0.2, 0.5, 0.1, 0.8, 0.1, 0.2, 0.6, 0.2]
        let metrics = try ClassificationMetrics(
            probabilities: probabilities, labels: [0, 0, 1, 1], classNames: ["a", "b", "c"])
        #expect(metrics.confusionMatrix.rows == [[1, 0, 1], [0, 2, 0], [0, 0, 0]])
        #expect(metrics.sensitivity == [0.5, 1, nil])
        #expect(metrics.specificity == [1, 1, 0.75])
        #expect(metrics.meanSensitivity == 0.75)
        #expect(metrics.meanSpecificity == 2.75 / 3)
        #expect(metrics.classAUC[2] == nil)
        // a: positives .7 .3 against .1 .2 → 1; b: positives .8 .6 against .2 .2 → 1.
        #expect(metrics.classAUC[0] == 1 && metrics.classAUC[1] == 1)
        #expect(metrics.auc == 1)
    }

    @Test func binaryAUCIsUndefinedWhenOnlyOneClassIsPresent() throws {
        let metrics = try ClassificationMetrics(
            probabilities: [0.3, 0.7, 0.6, 0.4], labels: [1, 1], classNames: ["normal", "pneumonia"])
        #expect(metrics.auc == nil)
        #expect(metrics.sensitivity == [nil, 0.5])
        // Every sample is pneumonia: no negatives, so its SPE is 0/0; normal has TN 1, FP 1.
        #expect(metrics.specificity == [0.5, nil])
        #expect(metrics.meanSensitivity == 0.5)
    }

    @Test func argmaxTieGoesToTheLowerClassIndex() throws {
        let metrics = try ClassificationMetrics(
            probabilities: [0.5, 0.5, 0.5, 0.5], labels: [0, 1], classNames: ["a", "b"])
        #expect(metrics.confusionMatrix.rows == [[1, 0], [1, 0]])
    }

    @Test func jsonWritesUndefinedValuesAsNullAndRoundTrips() throws {
        let probabilities: [Float] = [0.7, 0.2, 0.1, 0.3, 0.2, 0.5, 0.1, 0.8, 0.1, 0.2, 0.6, 0.2]
        let validation = try ClassificationMetrics(
            probabilities: probabilities, labels: [0, 0, 1, 1], classNames: ["a", "b", "c"])
        let test = try ClassificationMetrics(
            probabilities: Self.binaryProbabilities, labels: Self.binaryLabels, classNames: ["normal", "pneumonia"])
        let data = try ClassificationMetrics.jsonData(bySplit: ["validation": validation, "test": test])

        let object = try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let splitObject = try #require(object["validation"] as? [String: Any])
        let perClass = try #require(splitObject["per_class"] as? [String: [String: Any]])
        #expect(perClass["c"]?["sensitivity"] is NSNull)
        #expect(perClass["c"]?["auc"] is NSNull)
        #expect(perClass["c"]?["specificity"] as? Double == 0.75)
        #expect(perClass["a"]?["support"] as? Int == 2)
        #expect(splitObject["class_names"] as? [String] == ["a", "b", "c"])
        #expect(splitObject["confusion_matrix"] as? [[Int]] == [[1, 0, 1], [0, 2, 0], [0, 0, 0]])
        #expect(splitObject["accuracy"] as? Double == 0.75)
        #expect(splitObject["mean_sensitivity"] as? Double == 0.75)

        let decoded = try JSONDecoder().decode([String: ClassificationMetrics].self, from: data)
        #expect(decoded == ["validation": validation, "test": test])
    }

    @Test func invalidInputsAreRefusedWithTheirCause() {
        let names = ["a", "b"]
        #expect(throws: MetricsError.tooFewClasses(1)) {
            try ClassificationMetrics(probabilities: [1], labels: [0], classNames: ["a"])
        }
        #expect(throws: MetricsError.duplicateClassName("a")) {
            try ClassificationMetrics(probabilities: [1, 0], labels: [0], classNames: ["a", "a"])
        }
        #expect(throws: MetricsError.noSamples) {
            try ClassificationMetrics(probabilities: [], labels: [], classNames: names)
        }
        #expect(throws: MetricsError.shapeMismatch(values: 3, samples: 2, classes: 2)) {
            try ClassificationMetrics(probabilities: [1, 0, 1], labels: [0, 1], classNames: names)
        }
        #expect(throws: MetricsError.labelOutOfRange(label: 2, sample: 1, classes: 2)) {
            try ClassificationMetrics(probabilities: [1, 0, 1, 0], labels: [0, 2], classNames: names)
        }
        #expect(throws: MetricsError.nonFiniteProbability(sample: 1, classIndex: 1)) {
            try ClassificationMetrics(probabilities: [1, 0, 1, .nan], labels: [0, 1], classNames: names)
        }
    }
}

@Suite struct MetricIntervalsJSONTests {
    @Test func intervalsAreWrittenByMethodAndUndefinedOnesLeftOut() throws {
        // Class "c" is absent: no SEN, so no Wilson or bootstrap interval of its SEN.
        let probabilities: [Float] = [0.7, 0.2, 0.1, 0.3, 0.2, 0.5, 0.1, 0.8, 0.1, 0.2, 0.6, 0.2, 0.6, 0.3, 0.1, 0.1, 0.7, 0.2]
        let labels = [0, 0, 1, 1, 0, 1]
        let metrics = try ClassificationMetrics(probabilities: probabilities, labels: labels, classNames: ["a", "b", "c"])
        let intervals = MetricIntervals(metrics: metrics, probabilities: probabilities, labels: labels)
        let object = try #require(JSONSerialization.jsonObject(with: JSONEncoder().encode(intervals)) as? [String: Any])
        let perClass = try #require(object["per_class"] as? [String: [String: [String: Any]]])
        #expect(perClass["c"]?["sensitivity"]?.isEmpty == true)
        #expect(perClass["c"]?["specificity"]?["wilson"] is [String: Double])
        #expect(perClass["a"]?["auc"]?["delong"] is [String: Double])
        #expect((object["accuracy"] as? [String: Any])?.keys.sorted() == ["bootstrap", "wilson"])
        #expect((object["bootstrap"] as? [String: Int]) == ["resamples": 2000, "seed": 0])
        #expect(try JSONDecoder().decode(MetricIntervals.self, from: JSONEncoder().encode(intervals)) == intervals)
    }
}

import Evaluation
import Reports
import Testing

@Suite struct FoldTableTests {
    /// Four samples, two per class; `wrong` of them predicted as the other class.
    static func fold(probabilitiesOfClassOne: [Float], labels: [Int]) throws -> ClassificationMetrics {
        try ClassificationMetrics(
            probabilities: probabilitiesOfClassOne.flatMap { [1 - $0, $0] }, labels: labels, classNames: ["NORMAL", "PNEUMONIA"])
    }

    @Test func meanAndSampleDeviationOverFoldsLeaveOutWhatAFoldCannotGive() throws {
        let folds = [
            try Self.fold(probabilitiesOfClassOne: [0.1, 0.2, 0.8, 0.9], labels: [0, 0, 1, 1]),  // ACC 1, AUC 1
            try Self.fold(probabilitiesOfClassOne: [0.1, 0.6, 0.4, 0.9], labels: [0, 0, 1, 1]),  // ACC 0.5, AUC 0.75
            try Self.fold(probabilitiesOfClassOne: [0.7, 0.9], labels: [1, 1]),  // ACC 1, no AUC (one class)
        ]
        let table = FoldTable(classNames: ["NORMAL", "PNEUMONIA"], folds: folds)
        let summary = table.summary
        let accuracy = try #require(summary[0])
        #expect(abs(accuracy.mean - 2.5 / 3) < 1e-12)
        // Sample sd of (1, 0.5, 1): sqrt(((1/6)² · 2 + (1/3)²) / 2).
        #expect(abs(accuracy.standardDeviation - ((2 * (1.0 / 36) + 1.0 / 9) / 2).squareRoot()) < 1e-12)
        let auc = try #require(summary[1])
        #expect(abs(auc.mean - 0.875) < 1e-12)
        #expect(abs(auc.standardDeviation - (2 * 0.125 * 0.125).squareRoot()) < 1e-12)
        let lines = table.csv.split(separator: "\n").map(String.init)
        #expect(lines[0] == "fold,images,ACC,AUC,SEN NORMAL,SPE NORMAL,SEN PNEUMONIA,SPE PNEUMONIA")
        #expect(lines[3].hasPrefix("3,2,1.0,,"))
        #expect(lines[4].hasPrefix("mean,10,"))
        #expect(lines.count == 6)
        #expect(table.text.last!.contains("0.8750 ± 0.1768"))
    }
}

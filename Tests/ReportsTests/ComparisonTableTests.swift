import Evaluation
import Testing
@testable import Reports

@Suite struct ComparisonTableTests {
    /// Binary metrics of four samples, labels 0 0 1 1, from p(class 1) per sample.
    static func metrics(_ positiveProbabilities: [Float], labels: [Int] = [0, 0, 1, 1]) throws -> ClassificationMetrics {
        try ClassificationMetrics(
            probabilities: positiveProbabilities.flatMap { [1 - $0, $0] }, labels: labels, classNames: ["normal", "pneumonia"])
    }

    /// tiny/ce: predicted 0 1 1 1 → SEN (0.5 + 1)/2, SPE (1 + 0.5)/2, ACC 3/4, AUC 1.
    /// tiny/ce+bst: all right → 1, 1, 1, AUC 1.
    /// peleenet/ce: only class 0 in the labels → pneumonia's SEN and the AUC are undefined.
    static func table() throws -> ComparisonTable {
        ComparisonTable(split: "test", entries: [
            .init(network: .tiny, loss: .crossEntropy, metrics: try metrics([0.2, 0.6, 0.7, 0.9])),
            .init(network: .tiny, loss: .crossEntropyPlusBST, metrics: try metrics([0.1, 0.2, 0.7, 0.9])),
            .init(network: .peleeNet, loss: .crossEntropy, metrics: try metrics([0.2, 0.6, 0.3, 0.1], labels: [0, 0, 0, 0])),
        ])
    }

    @Test func markdownGroupsByNetworkAndBoldsEachNetworksBest() throws {
        let lines = try Self.table().markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0].hasPrefix("Results on the test split (4 images): "))
        #expect(Array(lines[2...]) == [
            "| Network | Loss | SEN (%) | SPE (%) | ACC (%) | AUC |",
            "| :-- | :-- | --: | --: | --: | --: |",
            "| tiny | ce | 75.00 | 75.00 | 75.00 | **1.0000** |",
            "|  | ce+bst | **100.00** | **100.00** | **100.00** | **1.0000** |",
            "| peleenet | ce | 75.00 | 75.00 | 75.00 | n/a |",
            "",
        ])
    }

    @Test func csvHoldsFractionsAtFullPrecisionAndUndefinedAsEmpty() throws {
        #expect(try Self.table().csv == """
            network,loss,split,images,sen,spe,acc,auc
            tiny,ce,test,4,0.75,0.75,0.75,1.0
            tiny,ce+bst,test,4,1.0,1.0,1.0,1.0
            peleenet,ce,test,4,0.75,0.75,0.75,

            """)
    }
}

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
            .init(network: .tiny, loss: .crossEntropy, runs: [.init(seed: 1, metrics: try metrics([0.2, 0.6, 0.7, 0.9]))]),
            .init(network: .tiny, loss: .crossEntropyPlusBST, runs: [.init(seed: 1, metrics: try metrics([0.1, 0.2, 0.7, 0.9]))]),
            .init(
                network: .peleeNet, loss: .crossEntropy,
                runs: [.init(seed: 1, metrics: try metrics([0.2, 0.6, 0.3, 0.1], labels: [0, 0, 0, 0]))]),
        ])
    }

    /// A grid of two seeds per cell, peleenet's second seed not finished yet.
    /// tiny/ce: seed 1 as above (SEN, SPE, ACC 0.75, AUC 1); seed 2 predicts 1 1 0 1 → SEN
    /// (0 + 0.5)/2 = 0.25, SPE (0.5 + 0)/2 = 0.25, ACC 1/4, AUC 2/4 (0.9 beats both negatives,
    /// 0.4 neither). Means 0.5 and 0.75, sample sds |a − b|/√2 = 0.25·√2 ≈ 0.3536.
    /// tiny/ce+bst: seed 1 all right (1, 1, 1, AUC 1), seed 2 as ce's seed 1 → means 0.875
    /// (sd 0.125·√2 ≈ 0.1768), AUC 1 ± 0.
    static func seedsTable() throws -> ComparisonTable {
        ComparisonTable(split: "test", seedsPerCell: 2, entries: [
            .init(network: .tiny, loss: .crossEntropy, runs: [
                .init(seed: 1, metrics: try metrics([0.2, 0.6, 0.7, 0.9])), .init(seed: 2, metrics: try metrics([0.6, 0.7, 0.4, 0.9])),
            ]),
            .init(network: .tiny, loss: .crossEntropyPlusBST, runs: [
                .init(seed: 1, metrics: try metrics([0.1, 0.2, 0.7, 0.9])), .init(seed: 2, metrics: try metrics([0.2, 0.6, 0.7, 0.9])),
            ]),
            .init(
                network: .peleeNet, loss: .crossEntropy,
                runs: [.init(seed: 1, metrics: try metrics([0.2, 0.6, 0.3, 0.1], labels: [0, 0, 0, 0]))]),
        ])
    }

    @Test func overSeedsEachFigureIsTheMeanPlusMinusTheSampleSdAndTheBestMeanIsBold() throws {
        let lines = try Self.seedsTable().markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0].hasPrefix("Results on the test split (4 images), mean ± sample sd over the seeds of each cell: "))
        #expect(Array(lines[2...]) == [
            "| Network | Loss | Seeds | SEN (%) | SPE (%) | ACC (%) | AUC |",
            "| :-- | :-- | :-- | --: | --: | --: | --: |",
            "| tiny | ce | 2 | 50.00 ± 35.36 | 50.00 ± 35.36 | 50.00 ± 35.36 | 0.7500 ± 0.3536 |",
            "|  | ce+bst | 2 | **87.50** ± 17.68 | **87.50** ± 17.68 | **87.50** ± 17.68 | **1.0000** ± 0.0000 |",
            "| peleenet | ce | 1 | 75.00 | 75.00 | 75.00 | n/a |",
            "",
        ])
    }

    @Test func overSeedsTheCSVHoldsMeansAndSdsAndSeedsCSVEveryRun() throws {
        let table = try Self.seedsTable()
        // 0.25·√2 and 0.125·√2 as Double prints them.
        #expect(table.csv == """
            network,loss,split,images,seeds,sen,sen_sd,spe,spe_sd,acc,acc_sd,auc,auc_sd
            tiny,ce,test,4,2,0.5,0.3535533905932738,0.5,0.3535533905932738,0.5,0.3535533905932738,0.75,0.3535533905932738
            tiny,ce+bst,test,4,2,0.875,0.1767766952966369,0.875,0.1767766952966369,0.875,0.1767766952966369,1.0,0.0
            peleenet,ce,test,4,1,0.75,,0.75,,0.75,,,

            """)
        #expect(table.seedsCSV == """
            network,loss,seed,split,images,sen,spe,acc,auc
            tiny,ce,1,test,4,0.75,0.75,0.75,1.0
            tiny,ce,2,test,4,0.25,0.25,0.25,0.5
            tiny,ce+bst,1,test,4,1.0,1.0,1.0,1.0
            tiny,ce+bst,2,test,4,0.75,0.75,0.75,1.0
            peleenet,ce,1,test,4,0.75,0.75,0.75,

            """)
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

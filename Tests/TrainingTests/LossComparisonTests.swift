import Evaluation
import Foundation
import Networks
import Testing
@testable import Training

@Suite struct LossComparisonTests {
    @Test func everyCellTrainsTheBaseConfigurationInItsOwnRunDirectory() throws {
        var base = TrainingConfiguration()
        base.train = "data/train"
        base.epochs = 3
        base.runDir = "ignored"
        let comparison = try LossComparison(
            base: base, networks: [.tiny, .shuffleNetV2], losses: [.crossEntropy, .crossEntropyPlusBST], outputPath: "out")
        #expect(comparison.runs.count == 4)
        let cell = comparison.configuration(comparison.runs[3])
        var expected = base
        expected.model = NetworkKind(rawValue: "shufflenetv2")!
        expected.loss = .crossEntropyPlusBST
        expected.runDir = "out/runs/shufflenetv2-ce+bst"
        #expect(cell == expected)
        #expect(comparison.split == "validation")
        base.test = "data/test"
        #expect(try LossComparison(base: base, networks: [.tiny], losses: [.crossEntropy], outputPath: "out").split == "test")
    }

    @Test func severalSeedsTrainEachCellOncePerSeedCountingUpFromTheBaseSeed() throws {
        var base = TrainingConfiguration()
        base.train = "data/train"
        base.test = "data/test"
        base.seed = 5
        let comparison = try LossComparison(
            base: base, networks: [.tiny], losses: [.crossEntropy, .crossEntropyPlusBST], seeds: 3, outputPath: "out")
        #expect(comparison.runs.map { "\($0.loss.rawValue) \($0.seed)" } == ["ce 5", "ce 6", "ce 7", "ce+bst 5", "ce+bst 6", "ce+bst 7"])
        let run = comparison.runs[4]
        #expect(comparison.runDirectory(run) == "out/runs/tiny-ce+bst-seed6")
        var expected = base
        expected.model = .tiny
        expected.loss = .crossEntropyPlusBST
        expected.seed = 6
        expected.runDir = "out/runs/tiny-ce+bst-seed6"
        #expect(comparison.configuration(run) == expected)
    }

    @Test func seedsBelowOneOrPastTheLargestSeedOrWithoutAFixedSplitAreRefused() throws {
        var base = TrainingConfiguration()
        base.train = "data/train"
        #expect(throws: ComparisonError.invalidSeeds(seeds: 0, firstSeed: 1)) {
            try LossComparison(base: base, networks: [.tiny], losses: [.crossEntropy], seeds: 0, outputPath: "out")
        }
        // Each seed would hold out its own validation split of --train, and report on it.
        #expect(throws: ComparisonError.seedsWithoutFixedSplit(seeds: 2)) {
            try LossComparison(base: base, networks: [.tiny], losses: [.crossEntropy], seeds: 2, outputPath: "out")
        }
        base.val = "data/val"
        base.seed = UInt64.max - 1
        #expect(throws: ComparisonError.invalidSeeds(seeds: 3, firstSeed: UInt64.max - 1)) {
            try LossComparison(base: base, networks: [.tiny], losses: [.crossEntropy], seeds: 3, outputPath: "out")
        }
        #expect(try LossComparison(base: base, networks: [.tiny], losses: [.crossEntropy], seeds: 2, outputPath: "out").runs.last?.seed == UInt64.max)
    }

    @Test func anEmptyOrRepeatedGridIsRefused() {
        let base = TrainingConfiguration()
        #expect(throws: ComparisonError.emptyGrid(option: "--models")) {
            try LossComparison(base: base, networks: [], losses: [.crossEntropy], outputPath: "out")
        }
        #expect(throws: ComparisonError.duplicateCell(option: "--losses", value: "ce")) {
            try LossComparison(base: base, networks: [.tiny], losses: [.crossEntropy, .crossEntropyPlusBST, .crossEntropy], outputPath: "out")
        }
    }

    @Test func aRunWithoutTheReportedSplitInItsMetricsIsNamed() throws {
        let directory = NSTemporaryDirectory() + "bstrain-compare-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let metrics = try ClassificationMetrics(
            probabilities: [0.2, 0.6, 0.7, 0.9].flatMap { [1 - $0, $0] }, labels: [0, 0, 1, 1], classNames: ["normal", "pneumonia"])
        try ClassificationMetrics.jsonData(bySplit: ["validation": metrics]).write(to: URL(fileURLWithPath: "\(directory)/metrics.json"))
        #expect(try LossComparison.readMetrics(of: directory, split: "validation") == metrics)
        #expect(throws: ComparisonError.unreadableMetrics(path: "\(directory)/metrics.json", reason: "it has no \"test\" entry")) {
            try LossComparison.readMetrics(of: directory, split: "test")
        }
    }
}

@Suite struct TrainingConfigurationDifferencesTests {
    @Test func namesTheOptionsWhoseValuesDifferExceptTheIgnoredOnes() throws {
        var saved = TrainingConfiguration()
        saved.train = "data/train"
        var now = saved
        #expect(try now.optionsDiffering(from: saved).isEmpty)
        now.epochs = 3
        now.test = "data/test"
        now.threads = 8
        #expect(try now.optionsDiffering(from: saved) == ["epochs", "test", "threads"])
        #expect(try now.optionsDiffering(from: saved, ignoring: TrainingConfiguration.executionOptions) == ["epochs", "test"])
    }
}

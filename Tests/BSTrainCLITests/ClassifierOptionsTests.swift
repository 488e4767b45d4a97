import Testing
@testable import BSTrainCLI

@Suite struct ClassifierOptionsTests {
    @Test func knnNeedsAnIndexAndAnIndexNeedsKnn() {
        #expect(throws: (any Error).self) { try EvalCommand.parse(["--weights", "w", "--test", "t", "--classifier", "knn"]) }
        #expect(throws: (any Error).self) { try PredictCommand.parse(["--weights", "w", "--index", "i", "x.jpg"]) }
        #expect(throws: (any Error).self) { try EvalCommand.parse(["--weights", "w", "--test", "t", "--gallery", "i"]) }
    }

    @Test func knnOptionsReachTheClassifier() throws {
        let command = try EvalCommand.parse([
            "--weights", "w", "--test", "t", "--classifier", "knn", "--index", "i", "--knn-k", "5", "--vote", "similarity-weighted",
        ])
        #expect(command.classifierOptions.classifier == .knn && command.classifierOptions.index == "i")
        #expect(command.classifierOptions.neighbourCount == 5 && command.classifierOptions.vote == .similarityWeighted)
        #expect(command.classifierOptions.summary.contains("5-nearest-neighbour similarity-weighted vote over i"))
    }
}

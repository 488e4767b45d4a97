import Data
import Evaluation
import Foundation

/// Two finished runs compared on the same test images (`bstrain compare-runs`): each run's
/// predictions-test.csv, the true classes from the test folder, and the paired tests of
/// `PairedComparison`.
public struct RunComparison {
    public let firstRun: String
    public let secondRun: String
    public let testFolder: String
    public let comparison: PairedComparison

    /// - Parameter testFolder: the labelled test folder the runs predicted; by default the
    ///   `test` of the first run's config.yaml.
    public init(firstRun: String, secondRun: String, testFolder: String? = nil) throws {
        let folder = try testFolder ?? Self.configuredTestFolder(of: firstRun)
        let test = try ImageFolder.scan(URL(fileURLWithPath: folder))
        let first = try RecordedPredictions(file: RunDirectory.Layout(path: firstRun).file("predictions-test.csv"), test: test)
        let second: RecordedPredictions
        do {
            second = try RecordedPredictions(file: RunDirectory.Layout(path: secondRun).file("predictions-test.csv"), test: test)
        } catch {
            guard case .unknownImage(_, let image, _) = error else { throw error }
            throw RunComparisonError.differentImages(firstRun: firstRun, secondRun: secondRun, image: image, testedBy: secondRun)
        }
        let rowOfPath = Dictionary(second.paths.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        if let missing = first.paths.first(where: { rowOfPath[$0] == nil }) {
            throw RunComparisonError.differentImages(firstRun: firstRun, secondRun: secondRun, image: missing, testedBy: firstRun)
        }
        if let extra = Set(second.paths).subtracting(first.paths).sorted().first {
            throw RunComparisonError.differentImages(firstRun: firstRun, secondRun: secondRun, image: extra, testedBy: secondRun)
        }
        // The second run's rows in the first run's order.
        let order = first.paths.map { rowOfPath[$0]! }
        let classCount = test.classNames.count
        let secondProbabilities = order.flatMap { second.probabilities[$0 * classCount..<($0 + 1) * classCount] }
        comparison = PairedComparison(
            labels: first.labels, classNames: test.classNames,
            first: .init(probabilities: first.probabilities, predicted: first.predicted),
            second: .init(probabilities: secondProbabilities, predicted: order.map { second.predicted[$0] }))
        self.firstRun = firstRun
        self.secondRun = secondRun
        self.testFolder = folder
    }

    private static func configuredTestFolder(of run: String) throws -> String {
        let configuration = try TrainingConfiguration.load(yamlFile: RunDirectory.Layout(path: run).file("config.yaml"))
        guard let test = configuration.test else { throw RunComparisonError.noTestSplit(run: run) }
        return test
    }
}

/// Why two runs cannot be compared.
public enum RunComparisonError: Error, CustomStringConvertible {
    case noTestSplit(run: String)
    /// `image` was tested by the run `testedBy` alone.
    case differentImages(firstRun: String, secondRun: String, image: String, testedBy: String)

    public var description: String {
        switch self {
        case let .noTestSplit(run):
            return "\(run)/config.yaml names no test folder, so the run predicted no test images; "
                + "train with --test, or give the folder both runs predicted with --test"
        case let .differentImages(firstRun, secondRun, image, testedBy):
            return "\(firstRun) and \(secondRun) were tested on different images (\(image) only by \(testedBy)); "
                + "paired tests need both models' answers on the same images: "
                + "train both with the same --test folder"
        }
    }
}

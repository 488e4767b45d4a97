import Data
import Foundation

/// A run's test predictions read back from its predictions-test.csv (`path,predicted,<class
/// probabilities...>`, as `Prediction.csv` writes it), with each image's true class from the
/// test folder, which the file does not hold.
struct RecordedPredictions {
    var paths: [String] = []
    var labels: [Int] = []
    /// The class the run called, under its own decision rule.
    var predicted: [Int] = []
    /// (N, C) row-major.
    var probabilities: [Float] = []

    init(file: String, test: ImageFolder) throws(PredictionsFileError) {
        let labelOfPath = Dictionary(test.images.map { (test.url(of: $0).path, $0.label) }, uniquingKeysWith: { first, _ in first })
        let text: String
        do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
            throw .unreadable(path: file, what: "test predictions")
        }
        let classNames = test.classNames
        let rows = CSV.rows(text).filter { !$0.isEmpty }
        let header = ["path", "predicted"] + classNames
        guard rows.first == header else { throw .wrongHeader(path: file, expected: header, found: rows.first ?? []) }
        for row in rows.dropFirst() {
            guard let label = labelOfPath[row[0]] else {
                throw .unknownImage(path: file, image: row[0], testFolder: test.root.path)
            }
            let values = row.dropFirst(2).compactMap(Float.init)
            guard row.count == 2 + classNames.count, values.count == classNames.count,
                  let predictedClass = classNames.firstIndex(of: row[1])
            else { throw .malformedRow(path: file, image: row[0]) }
            paths.append(row[0])
            labels.append(label)
            predicted.append(predictedClass)
            probabilities += values
        }
    }
}

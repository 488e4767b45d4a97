import Foundation
import Losses
import Testing

/// One batch of Scripts/loss_fixtures.py: the numpy reference for a metric loss.
struct MetricLossCase: Decodable, CustomTestStringConvertible {
    let name: String
    let margin: Float
    let square: String?
    let labels: [Int32]
    let embeddings: [[Float]]
    let loss: Double
    let gradient: [[Double]]

    var testDescription: String { name }
    var width: Int { embeddings[0].count }
    var flatEmbeddings: [Float] { embeddings.flatMap { $0 } }
}

/// One batch of logits with the numpy reference cross-entropy.
struct CrossEntropyCase: Decodable, CustomTestStringConvertible {
    let name: String
    let labels: [Int32]
    let logits: [[Float]]
    let normalizer: Float
    let labelSmoothing: Float
    let loss: Double
    let gradient: [[Double]]
    let probabilities: [[Double]]

    var testDescription: String { name }

    enum CodingKeys: String, CodingKey {
        case name, labels, logits, normalizer, loss, gradient, probabilities
        case labelSmoothing = "label_smoothing"
    }
}

/// The layout of every fixture file.
struct FixtureDocument<Case: Decodable>: Decodable {
    let cases: [Case]
}

/// Reads Tests/LossesTests/Fixtures/<file>, found beside this source file so the tests do
/// not depend on the working directory.
func loadFixtureCases<Case: Decodable>(_ file: String, as _: Case.Type = Case.self) -> [Case] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent(file)
    do {
        return try JSONDecoder().decode(FixtureDocument<Case>.self, from: Data(contentsOf: url)).cases
    } catch {
        fatalError("cannot read loss fixture \(url.path): \(error); regenerate with Scripts/loss_fixtures.py")
    }
}

/// Expects `actual` within `relative` of `expected` (scaled by max(|expected|, `floor`)).
func expectClose(
    _ actual: Float, _ expected: Double, relative: Double, floor: Double,
    _ what: @autoclosure () -> String, sourceLocation: SourceLocation = #_sourceLocation
) {
    let error = abs(Double(actual) - expected)
    #expect(
        error <= relative * max(abs(expected), floor),
        "\(what()): \(actual) vs reference \(expected)", sourceLocation: sourceLocation)
}

/// Expects every row of a (rows, width) gradient within `relative` of the reference,
/// measured against the row's largest reference component (at least 1e-6): a per-sample
/// check that holds a zero-embedding row of 1e12 as tightly as an ordinary row of 0.1, and
/// a row whose exact gradient is 0 (the reference carries ~1e-19 of difference residue) to 0.
func expectGradientClose(
    _ actual: [Float], _ expected: [[Double]], relative: Double,
    _ what: String, sourceLocation: SourceLocation = #_sourceLocation
) {
    let width = expected.first?.count ?? 0
    #expect(actual.count == expected.count * width, sourceLocation: sourceLocation)
    for (row, reference) in expected.enumerated() {
        let scale = max(reference.map(abs).max() ?? 0, 1e-6)
        for column in 0..<width {
            let value = Double(actual[row * width + column])
            #expect(
                abs(value - reference[column]) <= relative * scale,
                "\(what) gradient[\(row)][\(column)]: \(value) vs reference \(reference[column])",
                sourceLocation: sourceLocation)
        }
    }
}

import Foundation
import Testing

/// Reads Tests/EvaluationTests/Fixtures/<file> (written by Scripts/make-evidence-fixtures),
/// found beside this source file so the tests do not depend on the working directory.
func loadEvidenceCases<Case: Decodable>(_ file: String, as _: Case.Type = Case.self) -> [Case] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent(file)
    do {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(EvidenceFixtureDocument<Case>.self, from: Data(contentsOf: url)).cases
    } catch {
        Issue.record("cannot read \(url.path): \(error); run Scripts/make-evidence-fixtures")
        return []
    }
}

/// The layout of every fixture file.
struct EvidenceFixtureDocument<Case: Decodable>: Decodable {
    let cases: [Case]
}

/// |actual − expected| within `tolerance`, for numbers computed by two routes in float64.
func isClose(_ actual: Double, _ expected: Double, tolerance: Double = 1e-9) -> Bool {
    abs(actual - expected) <= tolerance
}

import ArgumentParser
import Networks

/// `--model` takes the networks' command-line names; `--help` lists each with its summary.
extension NetworkKind: ExpressibleByArgument {
    public static var allValueDescriptions: [String: String] {
        Dictionary(uniqueKeysWithValues: allCases.map {
            ($0.rawValue, "\($0.summary); embedding width \($0.embeddingWidth)")
        })
    }
}

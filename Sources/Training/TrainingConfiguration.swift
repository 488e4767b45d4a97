import Data
import Foundation
import Losses
import Networks
import Yams

/// Every option of a training run, typed, with the paper's defaults (docs/method.md). Written to
/// `config.yaml` in the run directory, and read from `--config FILE`, under the same names as
/// the command-line options.
public struct TrainingConfiguration: Codable, Equatable, Sendable {
    // Data
    public var train: String = ""
    public var val: String?
    public var valFraction: Double = 0.1
    public var test: String?
    public var imageSize: Int = 128
    public var channels: Int = 1
    public var augment: Bool = false
    public var skipBad: Bool = false
    public var skipNonfinite: Bool = false
    public var groupsPerClass: String = "2"
    public var batchMode: BatchMode = .ratio

    // Model and loss
    public var model: NetworkKind = NetworkKind(rawValue: "mobilenetv3-small")!
    public var loss: LossKind = .crossEntropyPlusBST
    public var margin: Double?
    public var lambda: Double = 1
    public var bstSquare: BatchSimilarityTripletLoss.Square = .signed

    // Optimisation and schedule (paper §3.1)
    public var optimizer: OptimizerKind = .adam
    public var lr: Double = 1e-3
    public var weightDecay: Double = 0
    public var momentum: Double = 0.9
    public var batch: Int = 36
    public var epochs: Int = 400
    public var lrFactor: Double = 0.3
    public var lrPatience: Int = 20
    public var minLr: Double = 1e-8
    public var earlyStoppingPatience: Int = 30
    public var earlyStoppingMinDelta: Double = 1e-4
    public var iterationsPerEpoch: Int?

    // Execution
    public var seed: UInt64 = 1
    public var threads: Int?
    public var syncBn: Bool = false
    public var bucketMegabytes: Double = 4
    public var runDir: String?
    public var logFormat: LogFormat = .text

    public init() {}

    enum CodingKeys: String, CodingKey {
        case train, val, valFraction = "val-fraction", test, imageSize = "image-size", channels, augment
        case skipBad = "skip-bad", skipNonfinite = "skip-nonfinite", groupsPerClass = "groups-per-class", batchMode = "batch-mode"
        case model, loss, margin, lambda, bstSquare = "bst-square"
        case optimizer, lr, weightDecay = "weight-decay", momentum, batch, epochs
        case lrFactor = "lr-factor", lrPatience = "lr-patience", minLr = "min-lr"
        case earlyStoppingPatience = "early-stopping-patience"
        case earlyStoppingMinDelta = "early-stopping-min-delta"
        case iterationsPerEpoch = "iterations-per-epoch"
        case seed, threads, syncBn = "sync-bn", bucketMegabytes = "bucket-mb", runDir = "run-dir"
        case logFormat = "log-format"
    }

    /// Reads a YAML file; keys absent from it keep their defaults, unknown keys are refused.
    public static func load(yamlFile path: String) throws -> TrainingConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError.unreadable(path: path, reason: error.localizedDescription)
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw ConfigurationError.invalidYAML(path: path, reason: "\(error)")
        }
        guard let mapping = node?.mapping else {
            if node == nil { return TrainingConfiguration() }
            throw ConfigurationError.invalidYAML(path: path, reason: "the top level must be a mapping of option: value")
        }
        let known = Set(CodingKeys.allNames)
        for key in mapping.keys {
            guard let name = key.string, known.contains(name) else {
                throw ConfigurationError.unknownKey(path: path, key: key.string ?? "\(key)")
            }
        }
        do {
            return try YAMLDecoder().decode(TrainingConfiguration.self, from: text)
        } catch let DecodingError.dataCorrupted(context) where context.underlyingError is ConfigurationError {
            // An option choice's own message (OptionChoice), which YAMLDecoder wraps.
            throw context.underlyingError!
        } catch {
            throw ConfigurationError.invalidYAML(path: path, reason: "\(error)")
        }
    }

    /// Keys absent from the file keep their defaults.
    public init(from decoder: Decoder) throws {
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func read<T: Decodable>(_ key: CodingKeys, _ path: WritableKeyPath<TrainingConfiguration, T>) throws {
            if let value = try container.decodeIfPresent(T.self, forKey: key) { self[keyPath: path] = value }
        }
        func readOptional<T: Decodable>(_ key: CodingKeys, _ path: WritableKeyPath<TrainingConfiguration, T?>) throws {
            self[keyPath: path] = try container.decodeIfPresent(T.self, forKey: key) ?? self[keyPath: path]
        }
        try read(.train, \.train)
        try readOptional(.val, \.val)
        try read(.valFraction, \.valFraction)
        try readOptional(.test, \.test)
        try read(.imageSize, \.imageSize)
        try read(.channels, \.channels)
        try read(.augment, \.augment)
        try read(.skipBad, \.skipBad)
        try read(.skipNonfinite, \.skipNonfinite)
        try read(.groupsPerClass, \.groupsPerClass)
        try read(.batchMode, \.batchMode)
        try read(.model, \.model)
        try read(.loss, \.loss)
        try readOptional(.margin, \.margin)
        try read(.lambda, \.lambda)
        try read(.bstSquare, \.bstSquare)
        try read(.optimizer, \.optimizer)
        try read(.lr, \.lr)
        try read(.weightDecay, \.weightDecay)
        try read(.momentum, \.momentum)
        try read(.batch, \.batch)
        try read(.epochs, \.epochs)
        try read(.lrFactor, \.lrFactor)
        try read(.lrPatience, \.lrPatience)
        try read(.minLr, \.minLr)
        try read(.earlyStoppingPatience, \.earlyStoppingPatience)
        try read(.earlyStoppingMinDelta, \.earlyStoppingMinDelta)
        try readOptional(.iterationsPerEpoch, \.iterationsPerEpoch)
        try read(.seed, \.seed)
        try readOptional(.threads, \.threads)
        try read(.syncBn, \.syncBn)
        try read(.bucketMegabytes, \.bucketMegabytes)
        try readOptional(.runDir, \.runDir)
        try read(.logFormat, \.logFormat)
    }

    /// The resolved configuration as YAML, every option present.
    public func yaml() throws -> String {
        var text = try YAMLEncoder().encode(self)
        // Optional options that are unset are written explicitly, so the file lists every option.
        for key in CodingKeys.allNames where !text.contains("\n\(key):") && !text.hasPrefix("\(key):") {
            text += "\(key): null\n"
        }
        return text
    }
}

extension TrainingConfiguration.CodingKeys: CaseIterable {
    static var allNames: [String] { allCases.map(\.stringValue) }
}

public enum ConfigurationError: Error, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case invalidYAML(path: String, reason: String)
    case unknownKey(path: String, key: String)
    case invalidValue(option: String, value: String, expected: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "cannot read configuration file \(path): \(reason)"
        case .invalidYAML(let path, let reason): return "configuration file \(path) is not valid: \(reason)"
        case .unknownKey(let path, let key):
            return "configuration file \(path) has an unknown option '\(key)'; options use the command-line names, e.g. image-size, groups-per-class"
        case .invalidValue(let option, let value, let expected):
            return "--\(option) \(value) is not valid: expected \(expected)"
        }
    }
}

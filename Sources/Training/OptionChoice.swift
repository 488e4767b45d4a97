import Data
import Losses
import Networks

/// A training option that takes one of a fixed set of names: the network, the loss, the
/// square of BSTriplet, the augmentation, the batch composition, the log format, the
/// optimizer. In a YAML file it is written as its name, so config.yaml reads `model: tiny`;
/// an unknown name is refused with the names it could have been.
public protocol OptionChoice: Codable, Equatable, Sendable {
    init?(rawValue: String)
    var rawValue: String { get }
    static var allCases: [Self] { get }
}

extension OptionChoice {
    public init(from decoder: Decoder) throws {
        try self.init(named: decoder)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// The choice whose name `decoder` holds.
    /// - Throws: `ConfigurationError.invalidValue` naming the option and the valid names.
    fileprivate init(named decoder: Decoder) throws {
        let name = try decoder.singleValueContainer().decode(String.self)
        guard let choice = Self(rawValue: name) else {
            let option = decoder.codingPath.last.map { TrainingConfiguration.optionName($0.stringValue) } ?? "\(Self.self)"
            throw ConfigurationError.invalidValue(
                option: option, value: name, expected: "one of \(Self.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = choice
    }
}

// An enum with String raw values also has the standard library's raw-value coding; this
// more specific extension is the one its conformance uses, so a bad name gets the message above.
extension OptionChoice where Self: RawRepresentable, RawValue == String {
    public init(from decoder: Decoder) throws {
        try self.init(named: decoder)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

extension NetworkKind: OptionChoice {}
extension LossKind: OptionChoice {}
extension BatchSimilarityTripletLoss.Square: OptionChoice {}
extension BatchMode: OptionChoice {}
extension LogFormat: OptionChoice {}
extension OptimizerKind: OptionChoice {}
extension LearningRateSchedule: OptionChoice {}
extension LearningRateScaling: OptionChoice {}
extension EarlyStoppingMetric: OptionChoice {}
extension DecisionThreshold: OptionChoice {}
extension Recipe: OptionChoice {}

// `augment` was a switch before it named a set: `augment: true` in older config files means
// the paper's set, `augment: false` none.
extension AugmentationKind: OptionChoice {
    public init(from decoder: Decoder) throws {
        if let isOn = try? decoder.singleValueContainer().decode(Bool.self) {
            self = isOn ? .paper : .none
        } else {
            try self.init(named: decoder)
        }
    }
}

import Data
import Foundation
import Losses
import Networks
import Support
import Yams

/// Every option of a training run, typed, with the defaults of the `recommended` recipe
/// (`Recipe`; docs/method.md).
///
/// This is the one declaration of the options. A property's name in kebab-case is the
/// option's name everywhere: on the command line (`imageSize` is `--image-size`, the name
/// ArgumentParser gives the property of the same name in `bstrain train`'s option groups), in
/// a `--config` file and in the run's `config.yaml` (`image-size: 128`). Its initial value is
/// the default, which `bstrain help train` shows; an optional property's nil stands for a
/// default that depends on the run (no `val`: hold out part of `train`).
public struct TrainingConfiguration: Codable, Equatable, Sendable {
    /// The named defaults the others were resolved over (`Recipe`): a record, not applied again.
    public var recipe: Recipe = .recommended

    // Data
    public var train: String = ""
    public var val: String?
    public var valFraction: Double = 0.1
    /// A regular expression whose first capture group names an image's patient, `kermany`, or
    /// `none` (as nil): every image its own patient. Kermany's names by default: a pattern that
    /// matches no file name groups nothing.
    public var groupPattern: String? = "kermany"
    /// A CSV of `path,group` rows naming each image's patient.
    public var groups: String?
    public var test: String?
    public var imageSize: Int = 128
    public var channels: Int = 1
    public var augment: AugmentationKind = .radiograph
    public var skipBad: Bool = false
    public var maxImagePixels: Int = JPEG.defaultMaximumPixels
    public var skipNonfinite: Bool = false
    public var groupsPerClass: String = "2"
    public var batchMode: BatchMode = .classBalanced

    // Model and loss
    public var model: NetworkKind = NetworkKind(rawValue: "mobilenetv3-small")!
    public var loss: LossKind = .crossEntropyPlusBST
    /// nil: the metric loss's own default (`MetricLossKind.defaultMargin`).
    public var margin: Double?
    public var lambda: Double = 1
    public var bstSquare: BatchSimilarityTripletLoss.Square = .signed
    /// ε of the training cross-entropy's targets (1 − ε)·one-hot + ε/K; 0 is off.
    public var labelSmoothing: Double = 0
    /// τ of the logit-adjusted cross-entropy (Menon et al. 2021): training adds τ·log(class
    /// share of the training images) to each logit; the model predicts from the plain logits.
    /// 0 is off.
    public var logitAdjustment: Double = 0

    // Starting point
    /// Weights to start from: bstrain's own safetensors, or a torchvision-style state dict
    /// (`InitialWeights`); nil starts from the seed's initialisation.
    public var initFrom: String?
    /// Epochs at the start in which only the classifier learns, the backbone frozen; at
    /// `epochs` or more, the whole run (the second stage of decoupled training, cRT).
    public var freezeBackbone: Int = 0

    // Optimisation and schedule (paper §3.1)
    public var optimizer: OptimizerKind = .adam
    public var lr: Double = 1e-3
    public var lrScaling: LearningRateScaling = .none
    public var weightDecay: Double = 0
    public var momentum: Double = 0.9
    public var batch: Int = 36
    public var epochs: Int = 60
    public var lrFactor: Double = 0.3
    public var lrPatience: Int = 20
    public var minLr: Double = 1e-8
    public var earlyStoppingPatience: Int = 30
    public var earlyStoppingMinDelta: Double = 1e-4
    public var earlyStoppingMetric: EarlyStoppingMetric = .balancedAccuracy
    public var decisionThreshold: DecisionThreshold = .youden
    /// Test-time augmentation of the final report and the saved model (`TestTimeAugmentation`).
    public var tta: Bool = true
    /// Fit a temperature on the validation split with the best weights (temperature scaling).
    public var calibrate: Bool = false
    /// Batch normalisation's running statistics start as the plain mean of the batches'
    /// (`RunContext.averagesEarlyStatistics`).
    public var bnWarmup: Bool = true
    /// nil: one pass over the training images.
    public var iterationsPerEpoch: Int?
    /// Decay of the parameters' exponential moving average, validated and saved instead of the
    /// live weights; 0 is off.
    public var ema: Double = 0.99
    public var lrSchedule: LearningRateSchedule = .cosine
    /// Epochs of linear warm-up before the cosine decay (`--lr-schedule cosine` only).
    public var warmupEpochs: Int = 0

    // Execution
    public var seed: UInt64 = 1
    /// nil: the node's cores shared among its ranks.
    public var threads: Int?
    public var syncBn: Bool = false
    /// Size of the gradient all-reduce buckets in megabytes.
    public var bucketMB: Double = 4
    /// nil: `runs/<date>-<model>-<loss>`.
    public var runDir: String?
    public var logFormat: LogFormat = .text

    /// The defaults.
    public init() {}

    /// What a config.yaml that lacks an option meant when it was written: it comes from a run
    /// started before the option existed, which ran without it. A resumed run reads its
    /// config.yaml over these, so it continues as it began.
    public static let savedRunBase: TrainingConfiguration = {
        var base = TrainingConfiguration()
        base.recipe = .paper
        base.groupPattern = nil
        base.earlyStoppingMetric = .loss
        base.decisionThreshold = .argmax
        base.tta = false
        base.bnWarmup = false
        return base
    }()
}

// MARK: - Names

extension TrainingConfiguration {
    /// Every option's name, in the order the properties are declared.
    public static let optionNames: [String] = propertyNames.map(optionName)

    /// The stored properties, which Mirror lists in declaration order.
    static let propertyNames: [String] = Mirror(reflecting: TrainingConfiguration()).children.compactMap(\.label)

    private static let propertyNamesByOption = Dictionary(uniqueKeysWithValues: propertyNames.map { (optionName($0), $0) })

    /// The option name of a property, by ArgumentParser's rule for long option names: a capital
    /// letter starts a new lowercase word (`imageSize` → `image-size`), and so does the last
    /// capital of a run followed by lowercase letters (`URLSession` → `url-session`), so
    /// `bucketMB` → `bucket-mb`.
    public static func optionName(_ property: String) -> String {
        let characters = Array(property)
        var name = ""
        var separateOnUppercase = true
        for (index, character) in characters.enumerated() {
            if character.isUppercase {
                if separateOnUppercase && !name.isEmpty { name += "-" }
                separateOnUppercase = index + 2 < characters.count
                    && characters[index + 1].isUppercase && characters[index + 2].isLowercase
            } else {
                separateOnUppercase = true
            }
            name += character.lowercased()
        }
        return name
    }
}

// MARK: - YAML and the command line

extension TrainingConfiguration {
    /// Reads a `--config` file or a run's config.yaml: options absent from it (or null) keep
    /// their defaults, unknown ones are refused. A file past `ConfigurationFileBounds` is
    /// refused before Yams reads it.
    /// - Parameter base: the values of the options the file does not give.
    public static func load(yamlFile path: String, over base: TrainingConfiguration = TrainingConfiguration()) throws -> TrainingConfiguration {
        let text = try boundedText(ofFile: path)
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw ConfigurationError.invalidYAML(path: path, reason: "\(error)")
        }
        guard let mapping = node?.mapping else {
            if node == nil { return base }
            throw ConfigurationError.invalidYAML(path: path, reason: "the top level must be a mapping of option: value")
        }
        var given: [(property: String, value: Node)] = []
        for (key, value) in mapping {
            // Refused before anything describes or re-encodes them: aliases let a small file
            // stand for a list of billions of elements.
            guard let name = key.scalar?.string, value.scalar != nil else {
                throw ConfigurationError.notOptionAndValue(path: path, line: (key.scalar == nil ? key : value).mark?.line)
            }
            guard let property = propertyNamesByOption[name] else {
                throw ConfigurationError.unknownKey(path: path, key: name)
            }
            given.append((property, baseSixtyAsText(value)))
        }
        return try base.replacing(given, source: path)
    }

    /// The text of the configuration file at `path`, refused when it is not a regular file
    /// (a FIFO would block, a device never end), is over `ConfigurationFileBounds.maximumBytes`
    /// or nests deeper than `ConfigurationFileBounds.maximumDepth`.
    private static func boundedText(ofFile path: String) throws -> String {
        var status = stat()
        guard stat(path, &status) == 0 else { throw ConfigurationError.unreadable(path: path, reason: errnoText()) }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw ConfigurationError.unreadable(path: path, reason: "it is a folder, device or pipe, not a regular file; name a YAML file")
        }
        guard status.st_size <= ConfigurationFileBounds.maximumBytes else {
            throw ConfigurationError.tooLarge(path: path, bytes: Int(status.st_size))
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError.unreadable(path: path, reason: error.localizedDescription)
        }
        if let line = ConfigurationFileBounds.firstLine(in: text, nestedDeeperThan: ConfigurationFileBounds.maximumDepth) {
            throw ConfigurationError.nestedTooDeeply(path: path, line: line)
        }
        return text
    }

    /// YAML 1.1 reads a plain `1:30` as the base-60 number 90, and Yams traps on the overflow
    /// of a long one (`1:0:0:0:0:0:0:0:0:0:0`). No option wants base 60, so such a value is
    /// text: a text option takes it as written, a number option refuses it by name.
    private static func baseSixtyAsText(_ value: Node) -> Node {
        guard let scalar = value.scalar, scalar.style == .plain, scalar.string.contains(":") else { return value }
        return Node(scalar.string, Tag(.str), .singleQuoted)
    }

    /// This configuration with the options that `options` gives, the others unchanged:
    /// `options` encodes as a mapping from property names of this type to values, null for
    /// an option not given, as the option groups of `bstrain train` do.
    public func replacing(with options: some Encodable) throws -> TrainingConfiguration {
        let given = try Self.mapping(encoding: options).map { (property: $0.key.string ?? "\($0.key)", value: $0.value) }
        for (property, _) in given where !Self.propertyNames.contains(property) {
            preconditionFailure("\(property) is not a property of TrainingConfiguration")
        }
        return try replacing(given, source: nil)
    }

    /// The configuration as YAML under the options' names, every option present: those unset
    /// are written as null, after the others.
    public func yaml() throws -> String {
        let encoded = try Self.mapping(encoding: self)
        var pairs = encoded.map { (Node(Self.optionName($0.key.string ?? "\($0.key)")), $0.value) }
        for property in Self.propertyNames where encoded[property] == nil {
            pairs.append((Node(Self.optionName(property)), Node("null", Tag(.null))))
        }
        return try Yams.serialize(node: Node(pairs))
    }

    /// This configuration with `given` laid over it, decoded as a whole: the one Codable
    /// conformance, the compiler's, reads files, the command line and config.yaml alike.
    /// - Parameter source: the file named in errors; nil for values of the options' own types,
    ///   which always decode.
    private func replacing(_ given: [(property: String, value: Node)], source: String?) throws -> TrainingConfiguration {
        var mapping = try Self.mapping(encoding: self)
        for (property, value) in given where !Self.isAbsent(value) {
            mapping[property] = value
        }
        do {
            return try YAMLDecoder().decode(TrainingConfiguration.self, from: Yams.serialize(node: .mapping(mapping)))
        } catch let DecodingError.dataCorrupted(context) where context.underlyingError is ConfigurationError {
            // An option choice's own message (OptionChoice), which YAMLDecoder wraps.
            throw context.underlyingError!
        } catch let error as DecodingError {
            guard let source else { preconditionFailure("options of the configuration's own types did not decode: \(error)") }
            throw ConfigurationError.invalidYAML(path: source, reason: Self.describe(error, given: given))
        }
    }

    /// A plain `null` (or `~`, or nothing) stands for an option not given; a quoted 'null' is text.
    private static func isAbsent(_ value: Node) -> Bool {
        value.scalar?.style == .plain && value.null != nil
    }

    /// `value` as the mapping YAMLEncoder writes for it.
    private static func mapping(encoding value: some Encodable) throws -> Node.Mapping {
        try Yams.compose(yaml: YAMLEncoder().encode(value))?.mapping ?? [:]
    }

    /// Why a value does not fit its option, by the option's name: "image-size 'large': expected
    /// a value of type Int".
    private static func describe(_ error: DecodingError, given: [(property: String, value: Node)]) -> String {
        let problem: String
        let context: DecodingError.Context
        switch error {
        case let .typeMismatch(type, errorContext), let .valueNotFound(type, errorContext):
            (problem, context) = ("expected a value of type \(type)", errorContext)
        case let .keyNotFound(_, errorContext), let .dataCorrupted(errorContext):
            (problem, context) = (errorContext.debugDescription, errorContext)
        @unknown default:
            return "\(error)"
        }
        guard let property = context.codingPath.first?.stringValue else { return problem }
        let value = given.last { $0.property == property }?.value.string.map { " '\($0)'" } ?? ""
        return "\(optionName(property))\(value): \(problem)"
    }
}

public enum ConfigurationError: Error, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case invalidYAML(path: String, reason: String)
    case unknownKey(path: String, key: String)
    /// A list or mapping where an option's name or value belongs; `line` is 1-based.
    case notOptionAndValue(path: String, line: Int?)
    case tooLarge(path: String, bytes: Int)
    case nestedTooDeeply(path: String, line: Int)
    case invalidValue(option: String, value: String, expected: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "cannot read configuration file \(path): \(reason)"
        case .invalidYAML(let path, let reason): return "configuration file \(path) is not valid: \(reason)"
        case .unknownKey(let path, let key):
            return "configuration file \(path) has an unknown option '\(key)'; options use the command-line names, e.g. image-size, groups-per-class"
        case .notOptionAndValue(let path, let line):
            return "configuration file \(path)\(line.map { " line \($0)" } ?? "") has a list or mapping where an option or its value belongs; write one option: value per line, e.g. image-size: 128"
        case .tooLarge(let path, let bytes):
            return "configuration file \(path) is \(bytes) bytes, over the \(ConfigurationFileBounds.maximumBytes) bytes read; a configuration is a few option: value lines, is this the right file?"
        case .nestedTooDeeply(let path, let line):
            return "configuration file \(path) nests too deeply near line \(line): over \(ConfigurationFileBounds.maximumDepth) levels of indentation and brackets; write one option: value per line, e.g. image-size: 128"
        case .invalidValue(let option, let value, let expected):
            return "--\(option) \(value) is not valid: expected \(expected)"
        }
    }
}

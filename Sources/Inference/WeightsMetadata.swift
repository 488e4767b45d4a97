import Evaluation
import Foundation
import Networks

/// What a weights file (RUN_DIR/weights/*.safetensors) says about its model: the safetensors
/// metadata a training run writes beside the tensors, enough to rebuild the network and to
/// decode images the way it was trained.
public struct WeightsMetadata: Equatable, Sendable {
    public let network: NetworkKind
    /// The loss the run trained with; inference does not depend on it.
    public let loss: String?
    /// Class names in label order (the sorted class folders of the training set).
    public let classNames: [String]
    public let imageSize: Int
    public let channels: Int
    /// Epochs completed when the file was written.
    public let epoch: Int?
    /// How `predict` and `eval` read a class from the probabilities: a threshold on p(class 1)
    /// chosen on validation (`--decision-threshold youden`), or the most probable class.
    public let decisionRule: DecisionRule
    /// Whether `predict` and `eval` average each image over `TestTimeAugmentation.views`, as
    /// the run's final report did (`--tta`).
    public let testTimeAugmentation: Bool
    /// The temperature fitted on validation (`--calibrate`), applied to the probabilities by
    /// `predict` and `eval`; nil: the network's own softmax.
    public let temperatureScaling: TemperatureScaling?

    public init(
        network: NetworkKind, loss: String?, classNames: [String], imageSize: Int, channels: Int, epoch: Int?,
        decisionRule: DecisionRule = .argmax, testTimeAugmentation: Bool = false, temperatureScaling: TemperatureScaling? = nil
    ) {
        self.network = network
        self.loss = loss
        self.classNames = classNames
        self.imageSize = imageSize
        self.channels = channels
        self.epoch = epoch
        self.decisionRule = decisionRule
        self.testTimeAugmentation = testTimeAugmentation
        self.temperatureScaling = temperatureScaling
    }

    /// The metadata key under which a checkpoint keeps its training state: a file that has it
    /// is a checkpoint, not weights.
    public static let checkpointStateKey = "bstrain.training_state"

    /// The largest input side a weights file may declare.
    public static let largestImageSize = 4096

    /// The keys without which a file is not bstrain's weights.
    static let requiredKeys = ["model", "classes", "image_size", "channels"]

    /// Parses and checks `metadata`, the safetensors metadata of the file at `path`.
    public init(_ metadata: [String: String], path: String) throws(WeightsError) {
        if metadata[Self.checkpointStateKey] != nil { throw .checkpointGiven(path: path) }
        let missing = Self.requiredKeys.filter { metadata[$0] == nil }
        guard missing.isEmpty else { throw .notBstrainWeights(path: path, missingKeys: missing) }
        func invalid(_ key: String, _ expected: String) -> WeightsError {
            .invalidMetadata(path: path, key: key, value: metadata[key] ?? "", expected: expected)
        }

        guard let network = NetworkKind(rawValue: metadata["model"]!) else {
            throw invalid("model", "one of \(NetworkKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        // A JSON array, so class folder names may hold any character.
        guard let classNames = try? JSONDecoder().decode([String].self, from: Data(metadata["classes"]!.utf8)),
              classNames.count >= 2, !classNames.contains(""), Set(classNames).count == classNames.count
        else {
            throw invalid("classes", "a JSON array of at least two distinct, non-empty class names")
        }
        // The file, not the user, says how large a network to build: a size no training run
        // could have used would only end in a failed allocation or a graph built forever.
        guard let imageSize = Int(metadata["image_size"]!), imageSize > 0, imageSize % 32 == 0,
              imageSize <= Self.largestImageSize
        else {
            throw invalid("image_size", "a positive multiple of 32, at most \(Self.largestImageSize)")
        }
        guard let channels = Int(metadata["channels"]!), channels == 1 || channels == 3 else {
            throw invalid("channels", "1 or 3")
        }
        var epoch: Int?
        if let text = metadata["epoch"] {
            guard let value = Int(text), value >= 0 else { throw invalid("epoch", "a whole number of epochs") }
            epoch = value
        }
        var decisionRule = DecisionRule.argmax
        if let text = metadata["decision_threshold"] {
            guard classNames.count == 2, let threshold = Float(text), threshold.isFinite, (0...1).contains(threshold) else {
                throw invalid("decision_threshold", "a probability in [0, 1], for two classes only")
            }
            decisionRule = .threshold(threshold)
        }
        var testTimeAugmentation = false
        if let text = metadata["tta"] {
            guard let value = Bool(text) else { throw invalid("tta", "true or false") }
            testTimeAugmentation = value
        }
        var temperatureScaling: TemperatureScaling?
        if let text = metadata["temperature"] {
            guard let temperature = Double(text), temperature.isFinite, temperature > 0 else {
                throw invalid("temperature", "a positive number")
            }
            temperatureScaling = TemperatureScaling(temperature: temperature)
        }
        self.init(
            network: network, loss: metadata["loss"], classNames: classNames, imageSize: imageSize, channels: channels, epoch: epoch,
            decisionRule: decisionRule, testTimeAugmentation: testTimeAugmentation, temperatureScaling: temperatureScaling)
    }

    /// The metadata to write beside the tensors, read back by `init(_:path:)`.
    public var safetensorsMetadata: [String: String] {
        var entries = [
            "model": network.rawValue,
            "classes": String(decoding: (try? JSONEncoder().encode(classNames)) ?? Data("[]".utf8), as: UTF8.self),
            "image_size": "\(imageSize)", "channels": "\(channels)",
        ]
        entries["loss"] = loss
        entries["epoch"] = epoch.map { "\($0)" }
        if case .threshold(let threshold) = decisionRule { entries["decision_threshold"] = "\(threshold)" }
        if testTimeAugmentation { entries["tta"] = "true" }
        entries["temperature"] = temperatureScaling.map { "\($0.temperature)" }
        entries.merge(InputPreprocessing.metadata(imageSize: imageSize, channels: channels)) { stated, _ in stated }
        return entries
    }
}

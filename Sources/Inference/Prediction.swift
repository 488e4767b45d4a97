import Data
import Evaluation
import Foundation

/// The model's answer for one image: its class probabilities and the class it predicts.
public struct Prediction: Equatable, Sendable {
    public let path: String
    /// One softmax probability per class, in the model's class order.
    public let probabilities: [Float]
    /// How the predicted class is read: the weights' rule.
    public let rule: DecisionRule

    public init(path: String, probabilities: [Float], rule: DecisionRule = .argmax) {
        self.path = path
        self.probabilities = probabilities
        self.rule = rule
    }

    /// The class `rule` reads, as `ClassificationMetrics` decides: by default the most
    /// probable class, the lowest index on a tie.
    public var predictedClass: Int { rule.predictedClass(probabilities[...]) }

    /// A header `path,predicted,<class 0>,<class 1>,...`, then one row per prediction.
    public static func csv(_ predictions: [Prediction], classNames: [String]) -> String {
        var text = CSV.line(["path", "predicted"] + classNames)
        for prediction in predictions {
            text += CSV.line([prediction.path, classNames[prediction.predictedClass]] + prediction.probabilities.map { "\($0)" })
        }
        return text
    }

    /// A JSON array of `{"path": ..., "predicted": ..., "probabilities": {"<class>": p, ...}}`.
    /// Throws on a NaN or infinite probability (a diverged model), which JSON cannot hold.
    public static func json(_ predictions: [Prediction], classNames: [String]) throws -> String {
        struct Entry: Encodable {
            let path: String
            let predicted: String
            let probabilities: [String: Float]
        }
        let entries = predictions.map { prediction in
            Entry(
                path: prediction.path, predicted: classNames[prediction.predictedClass],
                probabilities: Dictionary(uniqueKeysWithValues: zip(classNames, prediction.probabilities)))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(entries), as: UTF8.self) + "\n"
    }
}

import Data
import Foundation

/// The model's answer for one image: its class probabilities and the class it predicts.
public struct Prediction: Equatable, Sendable {
    public let path: String
    /// One softmax probability per class, in the model's class order.
    public let probabilities: [Float]

    public init(path: String, probabilities: [Float]) {
        self.path = path
        self.probabilities = probabilities
    }

    /// The most probable class; the lowest index on a tie, as `ClassificationMetrics` decides.
    public var predictedClass: Int {
        probabilities.indices.reduce(0) { probabilities[$1] > probabilities[$0] ? $1 : $0 }
    }

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

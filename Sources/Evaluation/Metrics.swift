import Foundation

/// How well a classifier did on one split: the paper's eqs. 9-11 (per-class SEN and SPE and
/// their means, ACC), ROC AUC and the confusion matrix (figure 9).
///
/// Undefined values are nil, written as `null` in metrics.json, never guessed:
/// - SEN of a class absent from the labels (TP + FN = 0);
/// - SPE of a class that every sample belongs to (TN + FP = 0);
/// - AUC of a class that is absent from the labels or is every label (no ROC curve exists).
/// The means (SEN, SPE, and AUC for more than two classes) average only the defined values,
/// so an absent class neither counts as 0 nor as 1; a mean with no defined value is nil.
public struct ClassificationMetrics: Equatable, Sendable {
    public let classNames: [String]
    public let confusionMatrix: ConfusionMatrix
    /// Per class, SEN = TP / (TP + FN) (eq. 9), the recall of that class.
    public let sensitivity: [Double?]
    /// Per class, SPE = TN / (TN + FP) (eq. 10), one class against all others.
    public let specificity: [Double?]
    /// Per class, the AUC of its one-vs-rest ROC curve (see `ROCCurve.oneVsRest`).
    public let classAUC: [Double?]
    public let meanSensitivity: Double?
    public let meanSpecificity: Double?
    /// ACC (eq. 11): the fraction of samples whose predicted class is their true class.
    public let accuracy: Double
    /// For two classes, the AUC of the positive class (index 1); for more, the macro average
    /// of the defined one-vs-rest AUCs.
    public let auc: Double?

    /// Metrics of the predictions `probabilities` ((N, C) row-major, C = classNames.count)
    /// against `labels` (N class indices). The predicted class of a sample is `rule`'s: by
    /// default the argmax of its row, the lowest index on a tie (as numpy's argmax). The AUCs do
    /// not depend on the rule.
    public init(probabilities: [Float], labels: [Int], classNames: [String], rule: DecisionRule = .argmax) throws(MetricsError) {
        try self.init(
            probabilities: probabilities, labels: labels, classNames: classNames,
            predicted: rule.predictedClasses(probabilities, classCount: classNames.count))
    }

    /// Metrics of samples given `predicted` classes, each perhaps by a rule of its own (the
    /// folds of cross-validation, each with its threshold); the AUCs from `probabilities`.
    public init(probabilities: [Float], labels: [Int], classNames: [String], predicted: [Int]) throws(MetricsError) {
        let classCount = classNames.count
        var seen = Set<String>()
        for name in classNames where !seen.insert(name).inserted { throw .duplicateClassName(name) }
        let curves = try ROCCurve.oneVsRest(probabilities: probabilities, labels: labels, classCount: classCount)
        let matrix = ConfusionMatrix(trueClasses: labels, predictedClasses: predicted, classCount: classCount)
        self.init(classNames: classNames, confusionMatrix: matrix, classAUC: curves.map { $0?.auc })
    }

    /// The metrics read from a confusion matrix, with the AUCs given (nil where not computed):
    /// also what the bootstrap evaluates on each resample.
    init(classNames: [String], confusionMatrix matrix: ConfusionMatrix, classAUC: [Double?]) {
        self.init(
            classNames: classNames,
            confusionMatrix: matrix,
            sensitivity: (0..<matrix.classCount).map {
                ratio(matrix.truePositives(of: $0), matrix.truePositives(of: $0) + matrix.falseNegatives(of: $0))
            },
            specificity: (0..<matrix.classCount).map {
                ratio(matrix.trueNegatives(of: $0), matrix.trueNegatives(of: $0) + matrix.falsePositives(of: $0))
            },
            classAUC: classAUC)
    }

    /// Derives the means, ACC and the reported AUC from the per-class values.
    private init(
        classNames: [String], confusionMatrix: ConfusionMatrix,
        sensitivity: [Double?], specificity: [Double?], classAUC: [Double?]
    ) {
        self.classNames = classNames
        self.confusionMatrix = confusionMatrix
        self.sensitivity = sensitivity
        self.specificity = specificity
        self.classAUC = classAUC
        meanSensitivity = meanOfDefined(sensitivity)
        meanSpecificity = meanOfDefined(specificity)
        accuracy = Double(confusionMatrix.correctCount) / Double(confusionMatrix.sampleCount)
        auc = classNames.count == 2 ? classAUC[1] : meanOfDefined(classAUC)
    }

    /// metrics.json: one object per split (e.g. "validation", "test"), keys sorted so the file
    /// is stable from run to run. The objects are the metrics, or the metrics with more keys
    /// beside them (`SplitReport.metricsJSON`).
    public static func jsonData(bySplit splits: [String: some Encodable]) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(splits)
    }
}

private func ratio(_ numerator: Int, _ denominator: Int) -> Double? {
    denominator > 0 ? Double(numerator) / Double(denominator) : nil
}

private func meanOfDefined(_ values: [Double?]) -> Double? {
    let defined = values.compactMap { $0 }
    return defined.isEmpty ? nil : defined.reduce(0, +) / Double(defined.count)
}

/// The JSON layout of metrics.json (per split):
///
///     { "class_names": [...], "accuracy": 0.9, "auc": 0.95,
///       "mean_sensitivity": 0.9, "mean_specificity": 0.9,
///       "per_class": { "<name>": { "sensitivity": 0.9, "specificity": 0.8, "auc": 0.95, "support": 234 } },
///       "confusion_matrix": [[...], ...] }
///
/// Undefined values are written as `null` (not left out), so every class has every key.
/// `support` (samples of the class) is there for the reader and is derived from the
/// confusion matrix when decoding.
extension ClassificationMetrics: Codable {
    private enum CodingKeys: String, CodingKey {
        case classNames = "class_names"
        case accuracy, auc
        case meanSensitivity = "mean_sensitivity"
        case meanSpecificity = "mean_specificity"
        case perClass = "per_class"
        case confusionMatrix = "confusion_matrix"
    }

    private struct PerClass: Codable {
        let sensitivity: Double?
        let specificity: Double?
        let auc: Double?
        let support: Int

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            // Plain `encode` of an Optional writes null; the synthesised encoder would drop the key.
            try container.encode(sensitivity, forKey: .sensitivity)
            try container.encode(specificity, forKey: .specificity)
            try container.encode(auc, forKey: .auc)
            try container.encode(support, forKey: .support)
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let classNames = try container.decode([String].self, forKey: .classNames)
        let matrix = try container.decode(ConfusionMatrix.self, forKey: .confusionMatrix)
        let perClass = try container.decode([String: PerClass].self, forKey: .perClass)
        guard matrix.classCount == classNames.count, matrix.sampleCount > 0 else {
            throw DecodingError.dataCorruptedError(
                forKey: .confusionMatrix, in: container,
                debugDescription: "the confusion matrix must be non-empty with one row per class name")
        }
        let entries = try classNames.map { name in
            guard let entry = perClass[name] else {
                throw DecodingError.dataCorruptedError(
                    forKey: .perClass, in: container, debugDescription: "no per_class entry for class \"\(name)\"")
            }
            return entry
        }
        self.init(
            classNames: classNames, confusionMatrix: matrix,
            sensitivity: entries.map(\.sensitivity), specificity: entries.map(\.specificity),
            classAUC: entries.map(\.auc))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(classNames, forKey: .classNames)
        try container.encode(accuracy, forKey: .accuracy)
        try container.encode(auc, forKey: .auc)
        try container.encode(meanSensitivity, forKey: .meanSensitivity)
        try container.encode(meanSpecificity, forKey: .meanSpecificity)
        let perClass = Dictionary(uniqueKeysWithValues: classNames.indices.map { index in
            (classNames[index], PerClass(
                sensitivity: sensitivity[index], specificity: specificity[index], auc: classAUC[index],
                support: confusionMatrix.support(of: index)))
        })
        try container.encode(perClass, forKey: .perClass)
        try container.encode(confusionMatrix, forKey: .confusionMatrix)
    }
}

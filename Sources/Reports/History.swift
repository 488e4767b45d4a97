import Foundation

/// One epoch of a run: the row of history.csv.
public struct HistoryRow: Codable, Equatable, Sendable {
    public var epoch: Int
    public var learningRate: Double
    public var trainLoss: Double
    public var trainCrossEntropy: Double
    public var trainMetric: Double
    public var validationLoss: Double
    public var validationCrossEntropy: Double
    public var validationMetric: Double
    public var validationAccuracy: Double
    public var validationAUC: Double?
    public var validationMeanSensitivity: Double?
    public var validationMeanSpecificity: Double?
    public var seconds: Double

    public init(
        epoch: Int, learningRate: Double, trainLoss: Double, trainCrossEntropy: Double, trainMetric: Double,
        validationLoss: Double, validationCrossEntropy: Double, validationMetric: Double, validationAccuracy: Double,
        validationAUC: Double?, validationMeanSensitivity: Double?, validationMeanSpecificity: Double?, seconds: Double
    ) {
        self.epoch = epoch
        self.learningRate = learningRate
        self.trainLoss = trainLoss
        self.trainCrossEntropy = trainCrossEntropy
        self.trainMetric = trainMetric
        self.validationLoss = validationLoss
        self.validationCrossEntropy = validationCrossEntropy
        self.validationMetric = validationMetric
        self.validationAccuracy = validationAccuracy
        self.validationAUC = validationAUC
        self.validationMeanSensitivity = validationMeanSensitivity
        self.validationMeanSpecificity = validationMeanSpecificity
        self.seconds = seconds
    }

    static let csvHeader = "epoch,lr,train_loss,train_ce,train_dml,val_loss,val_ce,val_dml,val_acc,val_auc,val_mean_sen,val_mean_spe,seconds"

    var csvLine: String {
        func format(_ value: Double?) -> String { value.map { "\($0)" } ?? "" }
        return [
            "\(epoch)", format(learningRate), format(trainLoss), format(trainCrossEntropy), format(trainMetric),
            format(validationLoss), format(validationCrossEntropy), format(validationMetric),
            format(validationAccuracy), format(validationAUC), format(validationMeanSensitivity),
            format(validationMeanSpecificity), String(format: "%.2f", seconds),
        ].joined(separator: ",")
    }

    /// history.csv: a header, then one line per epoch.
    public static func csv(_ rows: [HistoryRow]) -> String {
        ([csvHeader] + rows.map(\.csvLine)).joined(separator: "\n") + "\n"
    }
}

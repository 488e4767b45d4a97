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

    static func csv(_ rows: [HistoryRow]) -> String {
        ([csvHeader] + rows.map(\.csvLine)).joined(separator: "\n") + "\n"
    }
}

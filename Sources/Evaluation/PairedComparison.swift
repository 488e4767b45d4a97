/// Two models' predictions on the same labelled images, compared as a reviewer asks: is the
/// AUC different (paired DeLong test), is the accuracy different (McNemar's test), and by how
/// much, with 95% intervals of both differences.
public struct PairedComparison: Sendable {
    /// One model's answers for every image, in the images' order.
    public struct Predictions: Sendable {
        /// (N, C) row-major.
        public let probabilities: [Float]
        /// The class each image was called (the run's decision rule, as its predictions file says).
        public let predicted: [Int]

        public init(probabilities: [Float], predicted: [Int]) {
            self.probabilities = probabilities
            self.predicted = predicted
        }
    }

    public let classNames: [String]
    public let imageCount: Int
    /// Per class, one against the rest; nil where the class's AUC or its variance is undefined.
    public let classAUC: [PairedDeLongTest?]
    /// The reported AUC: the positive class's (index 1) for two classes, the macro average for more.
    public let auc: PairedDeLongTest?
    public let accuracy: McNemarTest
    public let firstAccuracy: Double
    public let secondAccuracy: Double

    public init(labels: [Int], classNames: [String], first: Predictions, second: Predictions) {
        let classCount = classNames.count
        precondition([first, second].allSatisfy { $0.predicted.count == labels.count && $0.probabilities.count == labels.count * classCount },
                     "both models must answer for every image")
        let firstAUCs = DeLongAUC.oneVsRest(probabilities: first.probabilities, labels: labels, classCount: classCount)
        let secondAUCs = DeLongAUC.oneVsRest(probabilities: second.probabilities, labels: labels, classCount: classCount)
        classAUC = zip(firstAUCs, secondAUCs).map { pair in
            guard let firstAUC = pair.0, let secondAUC = pair.1 else { return nil }
            return PairedDeLongTest(first: firstAUC, second: secondAUC)
        }
        if classCount == 2 {
            auc = classAUC[1]
        } else {
            auc = PairedDeLongTest(
                first: DeLongAUC.macroAverageTerms(firstAUCs), second: DeLongAUC.macroAverageTerms(secondAUCs), strata: labels)
        }
        let firstCorrect = zip(first.predicted, labels).map { $0 == $1 }
        let secondCorrect = zip(second.predicted, labels).map { $0 == $1 }
        accuracy = McNemarTest(firstCorrect: firstCorrect, secondCorrect: secondCorrect)
        firstAccuracy = Double(firstCorrect.count { $0 }) / Double(labels.count)
        secondAccuracy = Double(secondCorrect.count { $0 }) / Double(labels.count)
        self.classNames = classNames
        imageCount = labels.count
    }
}

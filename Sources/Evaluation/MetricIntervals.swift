/// 95% intervals for every metric `ClassificationMetrics` reports, each by the methods that
/// suit it:
/// - ACC, and each class's SEN and SPE, are proportions of images: Wilson score intervals
///   (`WilsonInterval.swift`) and the stratified bootstrap;
/// - mean SEN and mean SPE are averages of proportions: the bootstrap only;
/// - AUCs: DeLong's interval (`DeLong.swift`), per class one-vs-rest, and for the reported AUC
///   either the positive class's (two classes) or the macro average's (more), whose variance
///   comes from the per-class placements stratified by true class.
/// A method whose interval is undefined (a class absent from the labels, a single image of a
/// class for DeLong) is left out of that metric's entry.
public struct MetricIntervals: Codable, Equatable, Sendable {
    /// The intervals of one metric, by method.
    public struct Estimates: Codable, Equatable, Sendable {
        public var wilson: ConfidenceInterval?
        public var bootstrap: ConfidenceInterval?
        public var delong: ConfidenceInterval?
    }

    public struct PerClass: Codable, Equatable, Sendable {
        public let sensitivity: Estimates
        public let specificity: Estimates
        public let auc: Estimates
    }

    /// How the bootstrap intervals were drawn, so a reader can reproduce them.
    public struct BootstrapSettings: Codable, Equatable, Sendable {
        public let resamples: Int
        public let seed: UInt64
    }

    public let level: Double
    public let bootstrap: BootstrapSettings
    public let accuracy: Estimates
    public let auc: Estimates
    public let meanSensitivity: Estimates
    public let meanSpecificity: Estimates
    /// Keyed by class name, as `per_class` in metrics.json.
    public let perClass: [String: PerClass]

    private enum CodingKeys: String, CodingKey {
        case level, bootstrap, accuracy, auc
        case meanSensitivity = "mean_sensitivity"
        case meanSpecificity = "mean_specificity"
        case perClass = "per_class"
    }

    /// - Parameters:
    ///   - metrics: the point estimates, computed from the same `probabilities` ((N, C)
    ///     row-major), `labels` and `predicted` classes.
    ///   - predicted: the class each sample was given; nil for the most probable.
    ///   - bootstrap: resamples and seed of the bootstrap intervals.
    public init(
        metrics: ClassificationMetrics, probabilities: [Float], labels: [Int], predicted: [Int]? = nil,
        bootstrap: StratifiedBootstrap = StratifiedBootstrap()
    ) {
        let classNames = metrics.classNames
        let classCount = classNames.count
        let matrix = metrics.confusionMatrix
        let predicted = predicted ?? DecisionRule.argmax.predictedClasses(probabilities, classCount: classCount)

        // Bootstrap: statistics in the order ACC, mean SEN, mean SPE, SEN per class, SPE per class.
        let resampled = bootstrap.intervals(strata: labels, statisticCount: 3 + 2 * classCount) { indices in
            let resample = ClassificationMetrics(
                classNames: classNames,
                confusionMatrix: ConfusionMatrix(
                    trueClasses: indices.map { labels[$0] }, predictedClasses: indices.map { predicted[$0] }, classCount: classCount),
                classAUC: Array(repeating: nil, count: classCount))
            return [resample.accuracy, resample.meanSensitivity, resample.meanSpecificity] + resample.sensitivity + resample.specificity
        }

        let classAUCs = DeLongAUC.oneVsRest(probabilities: probabilities, labels: labels, classCount: classCount)
        let reportedAUC = classCount == 2 ? classAUCs[1]?.interval : macroAUCInterval(classAUCs, labels: labels)

        level = 0.95
        self.bootstrap = BootstrapSettings(resamples: bootstrap.resamples, seed: bootstrap.seed)
        accuracy = Estimates(
            wilson: .wilson(successes: matrix.correctCount, trials: matrix.sampleCount), bootstrap: resampled[0])
        meanSensitivity = Estimates(bootstrap: resampled[1])
        meanSpecificity = Estimates(bootstrap: resampled[2])
        auc = Estimates(delong: reportedAUC)
        perClass = Dictionary(uniqueKeysWithValues: classNames.indices.map { index in
            let truePositives = matrix.truePositives(of: index)
            let trueNegatives = matrix.trueNegatives(of: index)
            return (classNames[index], PerClass(
                sensitivity: Estimates(
                    wilson: .wilson(successes: truePositives, trials: truePositives + matrix.falseNegatives(of: index)),
                    bootstrap: resampled[3 + index]),
                specificity: Estimates(
                    wilson: .wilson(successes: trueNegatives, trials: trueNegatives + matrix.falsePositives(of: index)),
                    bootstrap: resampled[3 + classCount + index]),
                auc: Estimates(delong: classAUCs[index]?.interval)))
        })
    }
}

/// The macro AUC ± 1.96 standard errors, its variance from the per-class placements with the
/// true classes as strata (`DeLongAUC.variance(of:strata:)`).
private func macroAUCInterval(_ classAUCs: [DeLongAUC?], labels: [Int]) -> ConfidenceInterval? {
    let terms = DeLongAUC.macroAverageTerms(classAUCs)
    guard !terms.isEmpty else { return nil }
    let macro = terms.reduce(0.0) { $0 + $1.weight * $1.auc.auc }
    return DeLongAUC.variance(of: terms, strata: labels).map { ConfidenceInterval(estimate: macro, standardError: $0.squareRoot()) }
}

/// How far a model's probabilities are from the frequencies they claim: the expected
/// calibration error over equal-width confidence bins (Guo, Pleiss, Sun and Weinberger, "On
/// Calibration of Modern Neural Networks", ICML 2017, eq. 3), the Brier score (Brier 1950),
/// and the bins of the reliability diagram.
///
/// Confidence is the largest probability of a sample and "correct" means its most probable
/// class is the true one (Guo et al.'s definitions), so calibration describes the
/// probabilities themselves, whatever decision threshold the run reports its confusion matrix with.
public struct Calibration: Codable, Equatable, Sendable {
    /// Guo et al.'s choice.
    public static let defaultBinCount = 15

    /// Bin m holds the confidences in ((m − 1)/M, m/M]; the first also holds 0.
    public struct Bin: Codable, Equatable, Sendable {
        public let lower: Double
        public let upper: Double
        public let count: Int
        /// Mean confidence and accuracy of the bin's samples; nil for an empty bin.
        public let confidence: Double?
        public let accuracy: Double?

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            // Plain `encode` of an Optional writes null, so every bin has every key.
            try container.encode(lower, forKey: .lower)
            try container.encode(upper, forKey: .upper)
            try container.encode(count, forKey: .count)
            try container.encode(confidence, forKey: .confidence)
            try container.encode(accuracy, forKey: .accuracy)
        }
    }

    /// ECE = Σₘ |Bₘ|/N · |acc(Bₘ) − conf(Bₘ)|.
    public let expectedCalibrationError: Double
    /// Two classes: mean (p₁ − y)², the positive class's (as sklearn's `brier_score_loss`);
    /// more: mean Σ_c (p_c − 1[c = y])², Brier's original multi-class score.
    public let brierScore: Double
    public let bins: [Bin]

    private enum CodingKeys: String, CodingKey {
        case expectedCalibrationError = "ece"
        case brierScore = "brier"
        case bins
    }

    /// - Parameters: probabilities: (N, classCount) row-major; labels: N class indices.
    public init(probabilities: [Float], labels: [Int], classCount: Int, binCount: Int = defaultBinCount) {
        precondition(classCount >= 2 && binCount >= 1 && !labels.isEmpty && probabilities.count == labels.count * classCount,
                     "one probability row of at least two classes per label")
        var counts = [Int](repeating: 0, count: binCount)
        var confidenceSums = [Double](repeating: 0, count: binCount)
        var correctCounts = [Int](repeating: 0, count: binCount)
        var brierSum = 0.0
        for (sample, label) in labels.enumerated() {
            let row = probabilities[sample * classCount..<(sample + 1) * classCount]
            let predicted = DecisionRule.argmax.predictedClass(row)
            let confidence = Double(row[row.startIndex + predicted])
            let bin = Self.bin(of: confidence, binCount: binCount)
            counts[bin] += 1
            confidenceSums[bin] += confidence
            if predicted == label { correctCounts[bin] += 1 }
            brierSum += Self.brierTerm(row, label: label)
        }
        let total = Double(labels.count)
        bins = (0..<binCount).map { index in
            let count = counts[index]
            return Bin(
                lower: Double(index) / Double(binCount), upper: Double(index + 1) / Double(binCount), count: count,
                confidence: count > 0 ? confidenceSums[index] / Double(count) : nil,
                accuracy: count > 0 ? Double(correctCounts[index]) / Double(count) : nil)
        }
        expectedCalibrationError = bins.reduce(0.0) { sum, bin in
            guard let confidence = bin.confidence, let accuracy = bin.accuracy else { return sum }
            return sum + Double(bin.count) / total * abs(accuracy - confidence)
        }
        brierScore = brierSum / total
    }

    /// The bin m with (m/M, (m + 1)/M] ∋ confidence, comparing against the bounds as they are
    /// written (m/M in floating point), so a confidence on a bound falls where NumPy puts it.
    static func bin(of confidence: Double, binCount: Int) -> Int {
        let count = Double(binCount)
        var index = min(max(Int((confidence * count).rounded(.up)) - 1, 0), binCount - 1)
        while index > 0 && confidence <= Double(index) / count { index -= 1 }
        while index < binCount - 1 && confidence > Double(index + 1) / count { index += 1 }
        return index
    }

    private static func brierTerm(_ row: ArraySlice<Float>, label: Int) -> Double {
        if row.count == 2 {
            let error = Double(row[row.startIndex + 1]) - (label == 1 ? 1 : 0)
            return error * error
        }
        return row.indices.reduce(0.0) { sum, index in
            let error = Double(row[index]) - (index - row.startIndex == label ? 1 : 0)
            return sum + error * error
        }
    }
}

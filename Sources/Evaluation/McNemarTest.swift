/// McNemar's test of whether two classifiers, applied to the same images, have the same
/// accuracy (McNemar 1947). Only the discordant images count: b, those only the first
/// classifies correctly, and c, those only the second does. Under the null hypothesis each
/// discordant image is equally likely to fall either way, so b ~ Binomial(b + c, ½).
public struct McNemarTest: Equatable, Sendable {
    /// Below this many discordant images the p-value is the exact binomial one; from it on, the
    /// continuity-corrected chi-square, which is then within a few percent of the exact value.
    public static let exactBelow = 25

    public enum Method: String, Sendable {
        case exact
        case chiSquare = "chi-square"
    }

    public let onlyFirstCorrect: Int
    public let onlySecondCorrect: Int
    public let imageCount: Int
    public let method: Method
    /// Two-sided: exact min(1, 2·P(X ≤ min(b, c))), or P(χ²₁ ≥ (|b − c| − 1)² / (b + c)).
    public let pValue: Double
    /// ACC_first − ACC_second = (b − c) / N.
    public let accuracyDifference: Double
    /// The paired Wald interval of that difference, standard error √(b + c − (b − c)²/N) / N
    /// (Agresti 2002, section 10.1), clipped to [−1, 1].
    public let differenceInterval: ConfidenceInterval

    /// - Parameters: firstCorrect, secondCorrect: per image, whether each classifier got it right.
    public init(firstCorrect: [Bool], secondCorrect: [Bool]) {
        precondition(firstCorrect.count == secondCorrect.count && !firstCorrect.isEmpty, "both classifiers on the same, non-empty set of images")
        let pairs = zip(firstCorrect, secondCorrect)
        self.init(
            onlyFirstCorrect: pairs.count { $0 && !$1 }, onlySecondCorrect: pairs.count { !$0 && $1 },
            imageCount: firstCorrect.count)
    }

    public init(onlyFirstCorrect b: Int, onlySecondCorrect c: Int, imageCount: Int) {
        precondition(b >= 0 && c >= 0 && b + c <= imageCount && imageCount > 0, "discordant counts must fit in the images")
        onlyFirstCorrect = b
        onlySecondCorrect = c
        self.imageCount = imageCount
        let discordant = b + c
        if discordant < Self.exactBelow {
            method = .exact
            pValue = min(1, 2 * binomialHalfLowerTail(atMost: min(b, c), trials: discordant))
        } else {
            method = .chiSquare
            let excess = Double(abs(b - c) - 1)
            // P(χ²₁ ≥ x) = P(|Z| ≥ √x).
            pValue = NormalDistribution.twoSidedPValue((excess * excess / Double(discordant)).squareRoot())
        }
        let n = Double(imageCount)
        accuracyDifference = Double(b - c) / n
        let standardError = (Double(discordant) - Double((b - c) * (b - c)) / n).squareRoot() / n
        differenceInterval = ConfidenceInterval(estimate: accuracyDifference, standardError: standardError, clippedTo: -1...1)
    }
}

/// P(X ≤ k) for X ~ Binomial(n, ½), summing C(n, i)/2ⁿ term by term (n is below
/// `McNemarTest.exactBelow`, so no term underflows).
private func binomialHalfLowerTail(atMost k: Int, trials n: Int) -> Double {
    var term = 1.0
    for _ in 0..<n { term /= 2 }
    var sum = 0.0
    for i in 0...k {
        sum += term
        term *= Double(n - i) / Double(i + 1)
    }
    return sum
}

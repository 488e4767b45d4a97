import ArgumentParser
import Data
import Losses
import Support

/// `bstrain loss`: one metric loss and its gradient on embeddings read from CSV, for checking
/// the implementation against another one (Tests/Integration/loss-cli.sh does so against numpy).
struct LossCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loss",
        abstract: "Evaluate a metric loss and its gradient on embeddings and labels from CSV files.",
        discussion: """
            Prints a summary, then the loss as the last line, as a float with full precision. \
            Embeddings are L2-normalised inside the loss, as in training; the gradient written \
            with --gradient-out is dL/d(embeddings) of the mean loss, before normalisation.
            """)

    @Option(help: "Embeddings: one row of numbers per sample, comma-separated, no header.")
    var embeddings: String

    @Option(help: "Class labels: one integer per line, or one comma-separated row; one per embedding row.")
    var labels: String

    @Option(help: "bst (batch-similarity triplet, eqs. 2-4), triplet (eq. 1, batch-all) or lifted (Song et al. 2016).")
    var loss: MetricLossKind = .bst

    @Option(help: "Margin: m of bst in [0, 1] (default 0.9), eq. 1's margin (default 1), lifted's α (default 1).")
    var margin: Float?

    @Option(help: ArgumentHelp(
        "The square g of eq. 3 for bst: signed (default) g(x) = x·|x|, plain g(x) = x², linear g(x) = x.",
        discussion: """
            signed is the default because the paper states that D⁺ > 0 and D⁻ < 0 for a trained \
            model and that the loss is bounded by 1 + m, which holds only if the sign survives \
            the square; the plain square x², the literal text, would reward negatives for being \
            similar. plain and linear are there for ablation.
            """))
    var bstSquare: BatchSimilarityTripletLoss.Square?

    @Option(help: "Write dL/d(embeddings) here as CSV, one row per sample like the embeddings.")
    var gradientOut: String?

    func validate() throws {
        if bstSquare != nil && loss != .bst {
            throw ValidationError("--bst-square applies to --loss bst only, not \(loss.rawValue).")
        }
    }

    func run() throws {
        let matrix = try NumericCSV.readMatrix(embeddings)
        let labelValues = try NumericCSV.readLabels(labels)
        guard labelValues.count == matrix.rows else {
            throw LossCommandError.countMismatch(
                embeddings: embeddings, rows: matrix.rows, labels: labels, count: labelValues.count)
        }
        guard matrix.rows >= 2 else { throw LossCommandError.tooFewSamples(embeddings: embeddings) }

        try MemoryBudget.current.check(
            loss.workspaceBytes(count: matrix.rows, width: matrix.columns),
            for: "the \(loss.title) of \(matrix.rows) embeddings",
            advice: "it compares every pair, so its memory grows with the square of the rows; evaluate fewer rows at a time")

        let square = bstSquare ?? .signed
        let metricLoss = try loss.makeLoss(margin: margin, square: square)
        let (value, gradient) = try metricLoss.evaluate(
            embeddings: matrix.values, labels: labelValues, width: matrix.columns)

        if let gradientOut {
            try NumericCSV.write(gradient, columns: matrix.columns, to: gradientOut)
        }

        let settings = loss == .bst
            ? "margin \(metricLoss.margin), \(square.rawValue) square"
            : "margin \(metricLoss.margin)"
        print("\(loss.title), \(settings); \(matrix.rows) samples of width \(matrix.columns), "
            + "\(Set(labelValues).count) classes")
        if let gradientOut { print("gradient dL/d(embeddings) written to \(gradientOut)") }
        print(value)
    }
}

/// Inputs `bstrain loss` cannot evaluate.
enum LossCommandError: Error, CustomStringConvertible {
    case countMismatch(embeddings: String, rows: Int, labels: String, count: Int)
    case tooFewSamples(embeddings: String)

    var description: String {
        switch self {
        case let .countMismatch(embeddings, rows, labels, count):
            return "\(embeddings) has \(rows) embedding rows but \(labels) has \(count) labels; "
                + "give one label per embedding row."
        case let .tooFewSamples(embeddings):
            return "\(embeddings) holds a single embedding; a metric loss compares pairs, so it "
                + "needs at least 2 samples."
        }
    }
}

import ArgumentParser
import Engine
import Foundation
import Networks
import Reports

/// `bstrain models`: the networks bstrain can train, with their sizes for the given input,
/// beside the figures the paper printed for them.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the networks with their parameter counts, embedding widths and forward cost.",
        discussion: """
            Parameters are trainable ones, counted as PyTorch's sum of numel over parameters() \
            (BN running statistics are state, shown separately under "with BN stats"); they equal \
            torchvision's models (the authors' definition for PeleeNet) to the parameter. MMAC is \
            millions of multiply-accumulates of one forward pass of one image: convolutions, \
            linear layers, batch normalisation and squeeze-and-excitation scaling. The paper \
            columns are Table 1 of Huang et al. (2021) as printed, in millions of parameters \
            and MFLOPs; the README explains why they differ.
            """)

    @Option(help: "Image side in pixels (a multiple of 32).")
    var imageSize = 128

    @Option(help: "Image channels (1 for grey, 3 for colour).")
    var channels = 1

    @Option(help: "Number of classes.")
    var classes = 2

    func run() throws {
        let inputShape = TensorShape(height: imageSize, width: imageSize, channels: channels)
        var rows = [["network", "parameters", "with BN stats", "embedding", "MMAC", "paper: M params", "MFLOPs"]]
        for kind in NetworkKind.allCases {
            let graph = try makeGraph(kind, inputShape: inputShape, classes: classes)
            let paper = kind.paperTable1
            rows.append([
                kind.rawValue,
                grouped(graph.trainableCount),
                grouped(graph.trainableCount + graph.stateCount),
                "\(graph.embeddingWidth)",
                String(format: "%.1f", Double(graph.multiplyAccumulates(batch: 1)) / 1e6),
                paper?.megaParameters ?? "-",
                paper?.megaFlops ?? "-",
            ])
        }
        print("Networks for \(imageSize)x\(imageSize)x\(channels) images and \(classes) classes\n")
        textTable(rows).forEach { print($0) }
        print("")
        for kind in NetworkKind.allCases { print("\(kind.rawValue): \(kind.summary)") }
    }

    /// 1519618 -> "1,519,618".
    private func grouped(_ value: Int) -> String {
        let digits = Array(String(value))
        return digits.enumerated().map { index, digit in
            index > 0 && (digits.count - index) % 3 == 0 ? ",\(digit)" : "\(digit)"
        }.joined()
    }
}

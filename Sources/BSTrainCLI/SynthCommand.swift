import ArgumentParser
import Data
import Foundation

/// `bstrain synth`: writes the synthetic demo dataset.
struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Write a small synthetic JPEG dataset (stripe patterns) for demos and tests.",
        discussion: """
            Writes DIR/train/<class>/, DIR/val/<class>/ and DIR/test/<class>/ (the last two with a \
            quarter as many images). Classes differ by stripe orientation and frequency, and each class \
            has two sub-styles (full-field stripes, or stripes in a bright blob on dark) for the \
            data-mining groups to find. A small CNN learns it in about a minute.
            """)

    @Argument(help: "Folder to write (created if missing).")
    var directory: String

    @Option(help: "Number of classes (at least 2).")
    var classes = 2

    @Option(help: "Training images per class.")
    var imagesPerClass = 200

    @Option(help: "Image side in pixels.")
    var imageSize = 64

    @Option(help: "Seed; the same seed writes the same files.")
    var seed: UInt64 = 1

    func run() throws {
        let url = URL(fileURLWithPath: directory)
        try SyntheticDataset.write(to: url, classes: classes, imagesPerClass: imagesPerClass, size: imageSize, seed: seed)
        let splits = SyntheticDataset.splits.map { split in
            "\(split.name)/ (\(SyntheticDataset.imageCount(share: split.share, imagesPerClass: imagesPerClass)) per class)"
        }
        print("Wrote \(classes) classes of \(imageSize)x\(imageSize) grey JPEGs to \(directory): " + splits.joined(separator: ", "))
    }
}

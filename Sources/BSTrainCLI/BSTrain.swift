import ArgumentParser
import Engine
import Foundation
import Support

@main
struct BSTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bstrain",
        abstract: "Train light-weight CNNs for medical image classification with cross-entropy plus the batch-similarity triplet loss (BSTriplet).",
        discussion: """
            Implements Huang, Zhou, Zhu and Zhang, "Batch Similarity Based Triplet Loss Assembled \
            into Light-Weighted Convolutional Neural Networks for Medical Image Classification", \
            Sensors 21(3):764, 2021. Runs on CPUs through OpenBLAS; start it under mpirun to train \
            on several ranks (mpirun -n 4 bstrain train ...). Run 'bstrain help <subcommand>' for \
            the options of each subcommand.
            """,
        subcommands: [TrainCommand.self, CrossValidateCommand.self, EvalCommand.self, PredictCommand.self, ExplainCommand.self, EmbedCommand.self, IndexCommand.self, RetrieveCommand.self, CompareCommand.self, CompareRunsCommand.self, ReportCommand.self, DataCommand.self, SynthCommand.self, BenchCommand.self, DistributedBenchCommand.self, LossCommand.self, ModelsCommand.self, ExportCommand.self])

    static func main() {
        OpenBLASKernelSelection.restartWithFastKernelIfNeeded { failure in
            writeToStandardError("bstrain: warning: \(failure)\n")
        }
        main(nil)
    }
}

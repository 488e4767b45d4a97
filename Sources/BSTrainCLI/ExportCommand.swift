import ArgumentParser
import Data
import Export
import Foundation
import Inference
import Support

/// `bstrain export`: trained weights as a model file for another runtime.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write trained weights as an ONNX model, for ONNX Runtime and the tools that read ONNX.",
        discussion: """
            The model runs the network in inference mode (batch normalisation with its running \
            statistics, dropout off), opset \(OnnxExporter.opsetVersion). Input 'image': float32, \
            N x C x H x W (NCHW), each value pixel / 127.5 - 1, the image resized as the weights' \
            metadata says (copied into the model's metadata_props). Outputs 'probabilities' (N x classes, \
            at the weights' calibration temperature when they have one, as predict gives them) and \
            'embedding' (N x width, what embed writes), both averaged over the test-time views when the \
            weights were trained with --tta, as predict averages them.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case onnx
    }

    @Option(help: "Weights written by 'bstrain train' (RUN_DIR/weights/best.safetensors).")
    var weights: String

    @Option(help: "The model format to write.")
    var format: Format

    @Option(help: "The model file to write.")
    var out: String

    func run() throws {
        let trained = try TrainedModel(weightsPath: weights, batchCapacity: 1)
        let model: Foundation.Data
        switch format {
        case .onnx: model = try trained.onnxModel()
        }
        try AtomicFile.write(model, to: out)
        let metadata = trained.metadata
        print(
            "wrote \(out) (\(model.count) bytes): \(metadata.network.rawValue), input \(OnnxExporter.inputName) N x "
                + "\(metadata.channels) x \(metadata.imageSize) x \(metadata.imageSize), outputs \(OnnxExporter.probabilitiesName) "
                + "N x \(metadata.classNames.count) and \(OnnxExporter.embeddingName) N x \(metadata.network.embeddingWidth)"
                + (metadata.testTimeAugmentation ? ", each the mean over \(TestTimeAugmentation.views.count) test-time views" : ""))
    }
}

import Data
import Engine
import Evaluation
import Foundation
import Losses
import Networks
import Support

/// A trained network ready for inference: a weights file opened, its metadata checked, the
/// matching `Model` built and loaded. `eval`, `predict`, `embed` and `compare` start here.
public final class TrainedModel {
    public let path: String
    public let metadata: WeightsMetadata
    public let model: Model

    /// Opens the weights file at `path` and builds its network for batches of up to
    /// `batchCapacity` images. A file whose tensors do not fit its metadata is diagnosed: the
    /// error says which network, channel count or class count the tensors do fit.
    public init(weightsPath path: String, batchCapacity: Int) throws(WeightsError) {
        guard FileManager.default.fileExists(atPath: path) else { throw .missingFile(path: path) }
        let file: SafetensorsFile
        do {
            file = try SafetensorsFile(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .notSafetensors(path: path, reason: "\(error)")
        }
        let metadata = try WeightsMetadata(file.metadata, path: path)
        let model: Model
        do {
            model = try Model(
                kind: metadata.network, imageSize: metadata.imageSize, channels: metadata.channels,
                classes: metadata.classNames.count, batchCapacity: batchCapacity)
        } catch let error as MemoryBudgetError {
            throw .insufficientMemory(error)
        } catch {
            // The metadata checks admit only shapes every network accepts.
            throw .invalidMetadata(path: path, key: "model", value: metadata.network.rawValue, expected: "\(error)")
        }
        do {
            try model.executor.load(file)
        } catch {
            throw Self.diagnose(file, metadata: metadata, loadError: error)
        }
        if let entry = model.graph.parameters.first(where: { !model.executor.view(of: $0).allSatisfy(\.isFinite) }) {
            throw .nonFiniteValues(path: path, tensor: entry.name)
        }
        self.path = path
        self.metadata = metadata
        self.model = model
    }

    /// One line naming the weights and what they hold, for the top of a command's output.
    public var summary: String {
        var details = [metadata.loss.map { "trained with \($0)" }, metadata.epoch.map { "epoch \($0)" }].compactMap { $0 }
        if metadata.testTimeAugmentation { details.append("test-time augmentation (\(TestTimeAugmentation.views.count) views)") }
        if case .threshold(let threshold) = metadata.decisionRule {
            details.append(String(format: "%@ when p(%@) ≥ %.4f (chosen on validation)", metadata.classNames[1], metadata.classNames[1], threshold))
        }
        if let scaling = metadata.temperatureScaling {
            details.append(String(format: "probabilities at temperature %.4f (fitted on validation)", scaling.temperature))
        }
        return "weights \(path): \(metadata.network.rawValue), \(metadata.imageSize) x \(metadata.imageSize) x \(metadata.channels), "
            + "classes \(metadata.classNames.joined(separator: ", "))" + (details.isEmpty ? "" : "; " + details.joined(separator: ", "))
    }

    /// Throws unless `folder`'s classes are the trained ones, in the same order, so that its
    /// labels index the model's outputs.
    public func checkClasses(of folder: ImageFolder) throws(WeightsError) {
        guard folder.classNames == metadata.classNames else {
            throw .classMismatch(
                path: path, weightsClasses: metadata.classNames, folder: folder.root.path, folderClasses: folder.classNames)
        }
    }

    /// Decodes `folder` at the image size and channels the model was trained on, as training does,
    /// refusing files that declare more than `maximumPixels` pixels.
    public func decode(
        _ folder: ImageFolder, threads: Int, skipBad: Bool = false, maximumPixels: Int = JPEG.defaultMaximumPixels
    ) throws(DatasetError) -> ImageCache {
        try ImageCache(
            decoding: folder, imageSize: metadata.imageSize, channels: metadata.channels, threads: threads, skipBad: skipBad,
            maximumPixels: maximumPixels)
    }

    /// Probabilities and embeddings of every image of `cache`, on `threads` threads (OpenBLAS's
    /// thread count is set to match), the probabilities scaled by the weights' temperature when
    /// they have one. The cross-entropy is against the cache's labels.
    public func evaluate(_ cache: ImageCache, threads: Int) throws -> Evaluation {
        BLAS.setThreads(threads)
        let evaluator = try Evaluator(
            model: model, loss: try LossConfiguration(kind: .crossEntropy), metricChunk: model.executor.batchCapacity,
            threads: threads, views: metadata.testTimeAugmentation ? TestTimeAugmentation.views : nil)
        let evaluation = try evaluator.evaluate(cache)
        return metadata.temperatureScaling?.apply(to: evaluation, classCount: metadata.classNames.count) ?? evaluation
    }

    /// The most specific reason why `file`'s tensors failed to load into the network `metadata`
    /// describes: the network, channel count or class count the tensors do fit, if any.
    static func diagnose(_ file: SafetensorsFile, metadata: WeightsMetadata, loadError: SafetensorsError) -> WeightsError {
        guard let found = identify(file) else {
            return .tensorsDoNotFit(path: file.path, network: metadata.network, reason: "\(loadError)")
        }
        if found.network != metadata.network {
            return .networkMismatch(path: file.path, metadata: metadata.network, tensors: found.network)
        }
        if found.channels != metadata.channels {
            return .channelMismatch(path: file.path, metadata: metadata.channels, tensors: found.channels)
        }
        if found.classes != metadata.classNames.count {
            return .classCountMismatch(path: file.path, classNames: metadata.classNames, tensors: found.classes)
        }
        return .tensorsDoNotFit(path: file.path, network: metadata.network, reason: "\(loadError)")
    }

    /// The bstrain network, input channels and class count whose tensors `file` holds exactly
    /// (names and shapes), if any. Parameter shapes do not depend on the image size, so the
    /// graphs are built at the smallest one.
    static func identify(_ file: SafetensorsFile) -> (network: NetworkKind, channels: Int, classes: Int)? {
        let smallest = 32
        for network in NetworkKind.allCases {
            guard let probe = try? makeGraph(network, inputShape: TensorShape(height: smallest, width: smallest, channels: 1), classes: 2),
                  let classes = file.tensors["\(probe.nodes[probe.logits.index].name).weight"]?.shape.first
            else { continue }
            for channels in [1, 3] {
                guard let graph = try? makeGraph(
                    network, inputShape: TensorShape(height: smallest, width: smallest, channels: channels), classes: classes)
                else { continue }
                let fits = graph.parameters.count == file.tensors.count && graph.parameters.allSatisfy {
                    file.tensors[$0.name]?.shape == $0.shape
                }
                if fits { return (network, channels, classes) }
            }
        }
        return nil
    }
}

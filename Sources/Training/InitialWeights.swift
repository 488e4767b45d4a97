import Engine
import Foundation

/// The weights a run starts from (`--init-from`): a bstrain weights file, or a PyTorch state
/// dict saved with `safetensors.torch.save_file(model.state_dict(), path)`, told apart by the
/// layout bstrain records in every file it writes.
///
/// A state dict's convolution weights are [out, in/groups, kh, kw] and become bstrain's
/// [out, kh, kw, in/groups]; its `num_batches_tracked` counters have no use here. A 3-channel
/// first convolution starting a grey (1-channel) network is summed over the colour channels,
/// as timm does for `in_chans=1`: a grey image fed as three equal channels gives the same
/// response. A classifier tensor of another shape (another class count) keeps the seed's
/// initialisation. Every other tensor must be there with its shape; nothing is copied until
/// every check has passed.
struct InitialWeights {
    enum Layout: String {
        case bstrain = "bstrain's own weights"
        case pytorch = "a PyTorch state dict (convolutions NCHW)"
    }

    let layout: Layout
    /// Classifier tensors left at the seed's initialisation, the file's having another shape.
    let reinitialized: [String]
    /// The first convolution, when its colour channels were summed for grey images.
    let summedColourChannels: String?

    /// Loads the file at `path` into `executor`'s parameters and state.
    init(loadingFrom path: String, into executor: Executor) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw TrainingError.missingFile(path: path, what: "--init-from weights file")
        }
        let file = try SafetensorsFile(contentsOf: URL(fileURLWithPath: path))
        layout = file.metadata["layout"]?.hasPrefix("NHWC") == true ? .bstrain : .pytorch
        let graph = executor.graph
        let firstConvolution = graph.parameters.first { $0.shape.count == 4 }?.name
        var sources: [(entry: ParameterEntry, values: [Float])] = []
        var reinitialized: [String] = []
        var summed: String?
        for entry in graph.parameters {
            guard file.tensors[entry.name] != nil else {
                throw InitialWeightsError.missingTensor(path: path, tensor: entry.name, layout: layout)
            }
            var (values, shape) = try Self.tensor(entry.name, of: file, layout: layout)
            if shape != entry.shape, entry.name == firstConvolution, Self.isColour(shape, fitting: entry.shape) {
                (values, shape) = (Self.sumOverLastAxis(values, width: 3), entry.shape)
                summed = entry.name
            }
            if shape != entry.shape {
                guard graph.isInHead(entry) else {
                    throw InitialWeightsError.shapeMismatch(path: path, tensor: entry.name, expected: entry.shape, found: shape, layout: layout)
                }
                reinitialized.append(entry.name)
                continue
            }
            sources.append((entry, values))
        }
        let known = Set(graph.parameters.map(\.name))
        let unused = file.tensors.keys.filter { !known.contains($0) && !$0.hasSuffix(".num_batches_tracked") }.sorted()
        guard unused.isEmpty else { throw InitialWeightsError.unexpectedTensors(path: path, tensors: unused) }
        for (entry, values) in sources { _ = executor.view(of: entry).update(fromContentsOf: values) }
        self.reinitialized = reinitialized
        summedColourChannels = summed
    }

    /// One line for the log.
    var summary: String {
        var parts = ["read as \(layout.rawValue)"]
        if let summedColourChannels { parts.append("\(summedColourChannels) summed over its 3 colour channels for grey images") }
        if !reinitialized.isEmpty {
            parts.append("the classifier's \(reinitialized.joined(separator: ", ")) initialised afresh (the file's has another class count)")
        }
        return parts.joined(separator: "; ")
    }

    /// Tensor `name` of `file` in bstrain's layout, with its shape.
    private static func tensor(_ name: String, of file: SafetensorsFile, layout: Layout) throws -> ([Float], [Int]) {
        let values = try file.floats(name)
        let shape = file.tensors[name]!.shape
        guard layout == .pytorch, shape.count == 4 else { return (values, shape) }
        let (outputs, inputs, height, width) = (shape[0], shape[1], shape[2], shape[3])
        return (ConvolutionWeightLayout.ohwi(fromOIHW: values, outputs: outputs, inputs: inputs, height: height, width: width),
                [outputs, height, width, inputs])
    }

    /// Whether `shape` is a 3-channel convolution weight that `target`'s 1 channel can take.
    private static func isColour(_ shape: [Int], fitting target: [Int]) -> Bool {
        shape.count == 4 && shape.last == 3 && target.last == 1 && Array(shape.dropLast()) == Array(target.dropLast())
    }

    /// Sums each run of `width` consecutive values.
    private static func sumOverLastAxis(_ values: [Float], width: Int) -> [Float] {
        stride(from: 0, to: values.count, by: width).map { start in values[start..<start + width].reduce(0, +) }
    }
}

enum InitialWeightsError: Error, CustomStringConvertible {
    case missingTensor(path: String, tensor: String, layout: InitialWeights.Layout)
    case shapeMismatch(path: String, tensor: String, expected: [Int], found: [Int], layout: InitialWeights.Layout)
    case unexpectedTensors(path: String, tensors: [String])

    var description: String {
        switch self {
        case .missingTensor(let path, let tensor, let layout):
            return "--init-from \(path) (read as \(layout.rawValue)) has no tensor '\(tensor)', which the model needs: "
                + "was it saved from another --model, or from a model wrapped in another module (names prefixed, e.g. 'module.')?"
        case .shapeMismatch(let path, let tensor, let expected, let found, let layout):
            return "--init-from \(path) (read as \(layout.rawValue)): tensor '\(tensor)' has shape \(found) in bstrain's layout "
                + "but the model needs \(expected): was it saved from another --model or width?"
        case .unexpectedTensors(let path, let tensors):
            let shown = tensors.prefix(5).joined(separator: ", ") + (tensors.count > 5 ? ", ..." : "")
            return "--init-from \(path) holds \(tensors.count) tensor(s) the model does not have (\(shown)): "
                + "was it saved from another --model?"
        }
    }
}

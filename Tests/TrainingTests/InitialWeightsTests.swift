import Engine
import Foundation
import Networks
import Support
import Testing
@testable import Training

/// `--init-from`: bstrain's files and PyTorch state dicts (NCHW) load into the same weights.
@Suite struct InitialWeightsTests {
    func model(channels: Int = 1, classes: Int = 2, seed: UInt64) throws -> Model {
        let model = try Model(kind: .tiny, imageSize: 32, channels: channels, classes: classes, batchCapacity: 2)
        model.executor.initializeParameters(seed: seed)
        // Running statistics away from their 0/1 start, so a load that skipped them shows.
        var generator = SplitMix64(seed: seed &+ 100)
        for index in model.executor.state.indices { model.executor.state[index] = 0.5 + generator.nextUniform() }
        return model
    }

    /// `model`'s tensors as `safetensors.torch.save_file(model.state_dict())` writes them:
    /// convolution weights [out, in/groups, kh, kw], no layout metadata; `dropping` left out,
    /// `adding` added.
    func pytorchFile(of model: Model, dropping: Set<String> = [], adding extra: [(name: String, shape: [Int])] = []) throws -> String {
        var tensors: [(name: String, shape: [Int], values: [Float])] = []
        for entry in model.graph.parameters where !dropping.contains(entry.name) {
            let values = Array(model.executor.view(of: entry))
            guard entry.shape.count == 4 else { tensors.append((entry.name, entry.shape, values)); continue }
            let (outputs, height, width, inputs) = (entry.shape[0], entry.shape[1], entry.shape[2], entry.shape[3])
            tensors.append((entry.name, [outputs, inputs, height, width],
                            ConvolutionWeightLayout.oihw(fromOHWI: values, outputs: outputs, height: height, width: width, inputs: inputs)))
        }
        for (name, shape) in extra { tensors.append((name, shape, [Float](repeating: 0, count: shape.reduce(1, *)))) }
        let path = NSTemporaryDirectory() + "bstrain-init-\(UUID().uuidString).safetensors"
        try Self.encode(tensors[...], metadata: ["format": "pt"]).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// `SafetensorsFile.encode` of arrays, which it takes as buffers.
    static func encode(
        _ tensors: ArraySlice<(name: String, shape: [Int], values: [Float])>, metadata: [String: String],
        encoded: [(name: String, shape: [Int], values: UnsafeBufferPointer<Float>)] = []
    ) -> Data {
        guard let first = tensors.first else { return SafetensorsFile.encode(encoded, metadata: metadata) }
        return first.values.withUnsafeBufferPointer { values in
            encode(tensors.dropFirst(), metadata: metadata, encoded: encoded + [(first.name, first.shape, values)])
        }
    }

    @Test func aPyTorchStateDictLoadsTheSameWeightsAsTheModelItWasSavedFrom() throws {
        let source = try model(seed: 1)
        let path = try pytorchFile(of: source)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let target = try model(seed: 2)
        let loaded = try InitialWeights(loadingFrom: path, into: target.executor)
        #expect(loaded.layout == .pytorch && loaded.reinitialized.isEmpty && loaded.summedColourChannels == nil)
        #expect(target.snapshot().parameters == source.snapshot().parameters)
        #expect(target.snapshot().state == source.snapshot().state)
    }

    @Test func bstrainsOwnFileLoadsAsItIs() throws {
        let source = try model(seed: 1)
        let path = NSTemporaryDirectory() + "bstrain-init-\(UUID().uuidString).safetensors"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try source.executor.saveSafetensors(to: URL(fileURLWithPath: path))
        let target = try model(seed: 2)
        #expect(try InitialWeights(loadingFrom: path, into: target.executor).layout == .bstrain)
        #expect(target.snapshot().parameters == source.snapshot().parameters)
    }

    @Test func aColourFirstConvolutionIsSummedSoAGreyImageGivesTheColourModelsOutput() throws {
        let colour = try model(channels: 3, seed: 1)
        let path = try pytorchFile(of: colour)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let grey = try model(channels: 1, seed: 2)
        let loaded = try InitialWeights(loadingFrom: path, into: grey.executor)
        #expect(loaded.summedColourChannels == "features.0.0.weight")
        var generator = SplitMix64(seed: 3)
        let pixels = (0..<(2 * 32 * 32)).map { _ in generator.nextUniform() * 2 - 1 }
        for (index, value) in pixels.enumerated() {
            grey.executor.input[index] = value
            for channel in 0..<3 { colour.executor.input[index * 3 + channel] = value }
        }
        grey.executor.forward(RunContext(batch: 2, training: false))
        colour.executor.forward(RunContext(batch: 2, training: false))
        for index in 0..<4 {
            #expect(abs(grey.executor.logits[index] - colour.executor.logits[index]) <= 1e-5 * max(1, abs(colour.executor.logits[index])))
        }
    }

    @Test func aClassifierForAnotherClassCountKeepsItsInitialisationAndTheRestLoads() throws {
        let source = try model(classes: 3, seed: 1)
        let path = try pytorchFile(of: source)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let target = try model(classes: 2, seed: 2)
        let initial = target.snapshot()
        let loaded = try InitialWeights(loadingFrom: path, into: target.executor)
        #expect(loaded.reinitialized == ["classifier.weight", "classifier.bias"])
        let head = target.graph.headParameters
        #expect(Array(target.executor.parameters[head]) == Array(initial.parameters[head]))
        #expect(Array(target.executor.parameters[..<head.lowerBound]) == Array(source.executor.parameters[..<head.lowerBound]))
    }

    @Test func missingExtraAndMisshapenBackboneTensorsAreRefusedAndNothingIsCopied() throws {
        let source = try model(seed: 1)
        let runningMean = try #require(source.graph.parameters.first { !$0.trainable }).name
        let missing = try pytorchFile(of: source, dropping: [runningMean])
        let extra = try pytorchFile(of: source, adding: [("features.9.weight", [4])])
        let misshapen = try pytorchFile(of: source, dropping: ["features.0.1.weight"], adding: [("features.0.1.weight", [17])])
        defer { for path in [missing, extra, misshapen] { try? FileManager.default.removeItem(atPath: path) } }
        let target = try model(seed: 2)
        let initial = target.snapshot()
        for path in [missing, extra, misshapen] {
            #expect(throws: InitialWeightsError.self) { try InitialWeights(loadingFrom: path, into: target.executor) }
        }
        #expect(target.snapshot().parameters == initial.parameters)
        #expect(target.snapshot().state == initial.state)
        #expect(throws: TrainingError.self) { try InitialWeights(loadingFrom: "/nonexistent/weights.safetensors", into: target.executor) }
    }
}

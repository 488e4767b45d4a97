import Data
import Engine
import Foundation
import Networks
import Testing
@testable import Inference

@Suite struct GradCAMTests {
    static let classes = 3
    static let batch = 2

    /// `tiny` on 32 x 32 grey images, randomly initialised, with a fixed irregular pattern in
    /// [-1, 1] as its images (a multiplicative hash of the index, as cheap as noise).
    static func preparedModel() throws -> Model {
        let model = try Model(kind: .tiny, imageSize: 32, channels: 1, classes: classes, batchCapacity: batch)
        model.executor.initializeParameters(seed: 5)
        for index in 0..<batch * model.graph.inputShape.elementCount {
            model.executor.input[index] = Float(pattern(index)) / 127.5 - 1
        }
        return model
    }

    static func pattern(_ index: Int) -> UInt8 { UInt8(truncatingIfNeeded: (index &* 2_654_435_761) >> 13) }

    /// The engine's d(score)/dA at `node`, left by a backward that stops above it, against
    /// central differences of the score when one element of A is moved and the layers above it
    /// rerun: the values Grad-CAM weighs its channels with.
    func checkScoreGradient(at node: (Graph) -> NodeID) throws {
        let model = try Self.preparedModel()
        let executor = model.executor
        let stage = node(model.graph)
        let gradCAM = try GradCAM(model: model, stage: stage)
        let explained = [2, 0]
        let context = RunContext(batch: Self.batch, training: false)
        gradCAM.backPropagateScores(of: explained, context)
        let count = Self.batch * model.graph.shape(of: stage).elementCount
        let gradient = Array(UnsafeBufferPointer(start: executor.gradient(of: stage), count: count))
        #expect(gradient.contains { $0 != 0 })

        let activations = executor.output(of: stage)
        let perSample = count / Self.batch
        let step: Float = 1e-2
        // 16 elements spread over both samples, at irregular channels and locations.
        for element in stride(from: 37, to: count, by: count / 16 + 1) {
            let slot = element / perSample
            func score(shiftedBy shift: Float) -> Float {
                let original = activations[element]
                activations[element] = original + shift
                executor.forward(context, after: stage)
                activations[element] = original
                return executor.logits[slot * Self.classes + explained[slot]]
            }
            let difference = (score(shiftedBy: step) - score(shiftedBy: -step)) / (2 * step)
            #expect(abs(difference - gradient[element]) <= 2e-4 + 1e-2 * abs(gradient[element]),
                    "element \(element): finite difference \(difference), engine \(gradient[element])")
        }
    }

    /// tiny's last stage feeds the global pooling and the linear classifier.
    @Test func scoreGradientAtTheLastStageMatchesFiniteDifferences() throws {
        try checkScoreGradient { $0.lastConvolutionalStage! }
    }

    /// The squeeze-and-excitation block's input: the gradient passes the channel gate (pooling,
    /// two linear layers, ReLU, sigmoid) and the product with it, all nonlinear.
    @Test func scoreGradientBelowTheExcitationMatchesFiniteDifferences() throws {
        try checkScoreGradient { graph in
            let stage = graph.lastConvolutionalStage!
            return graph.nodes[stage.index].inputs.first { graph.shape(of: $0) == graph.shape(of: stage) }!
        }
    }

    /// Two locations, two channels; gradients average to weights (1, -0.5) per channel.
    @Test func mapIsTheReLUOfTheGradientWeightedChannelSum() {
        let shape = TensorShape(height: 1, width: 2, channels: 2)
        let activations: [Float] = [2, 1, 1, 4]           // (location, channel)
        let gradient: [Float] = [1.5, -1, 0.5, 0]
        let map = GradCAM.classActivationMap(activations: activations, scoreGradient: gradient, shape: shape)
        #expect(map == [1.5, 0])                         // 2 - 0.5 and ReLU(1 - 2)
    }

    /// With offset (s − 1)/2 = 0.5 at stride 2, an image resize: PyTorch's
    /// `interpolate([[0, 1], [2, 3]], size=4, mode="bilinear", align_corners=False)`.
    @Test func upsamplingWithTheResizeOffsetIsPyTorchsBilinearResize() {
        let map = GradCAM.upsampled([0, 1, 2, 3], from: TensorShape(height: 2, width: 2, channels: 1), to: 4, offset: 0.5)
        let expected: [Float] = [0, 0.25, 0.75, 1, 0.5, 0.75, 1.25, 1.5, 1.5, 1.75, 2.25, 2.5, 2, 2.25, 2.75, 3]
        #expect(zip(map, expected).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    /// Offset 0: cell i sits on pixel 2i, so pixels 0 and 2 take the cells' values and pixel 3,
    /// beyond the last cell, holds it.
    @Test func upsamplingPlacesEachCellAtItsReceptiveFieldCentre() {
        let map = GradCAM.upsampled([0, 1, 2, 3], from: TensorShape(height: 2, width: 2, channels: 1), to: 4, offset: 0)
        let expected: [Float] = [0, 0.5, 1, 1, 1, 1.5, 2, 2, 2, 2.5, 3, 3, 2, 2.5, 3, 3]
        #expect(zip(map, expected).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    @Test func normalisingSpansZeroToOneAndAConstantMapIsZero() {
        #expect(GradCAM.normalised([2, 4, 3]) == [0, 1, 0.5])
        #expect(GradCAM.normalised([0, 0]) == [0, 0])
    }

    @Test func peakIsTheFirstLargestPixel() {
        let peak = GradCAM.peak(of: [0, 1, 0.5, 1], size: 2)
        #expect(peak.x == 1 && peak.y == 0)
    }

    /// Every image of a cache gets a map the size of the image, in [0, 1].
    @Test func mapsCoverEachImageInTheUnitRange() throws {
        let model = try Self.preparedModel()
        let images = (0..<3).map { LabeledImage(path: "image-\($0).png", label: 0) }
        let cache = ImageCache(
            folder: ImageFolder(root: URL(fileURLWithPath: "/"), classNames: ["unlabeled"], images: images), imageSize: 32,
            channels: 1, pixels: (0..<3 * 32 * 32).map(Self.pattern))
        let maps = try GradCAM(model: model).maps(cache, classes: [0, 1, 2], threads: 1)
        #expect(maps.count == 3)
        for map in maps {
            #expect(map.count == 32 * 32 && map.allSatisfy { (0...1).contains($0) })
            // Normalised to a peak of 1: an all-zero map would mean no gradient reached the stage.
            #expect(map.max() == 1)
        }
    }

    /// Each network's named stage and offset give a map over the whole image (randomly
    /// initialised, 64 x 64: a smoke test that the wiring holds for every network).
    @Test(arguments: NetworkKind.allCases)
    func everyNetworkGivesAMapInTheUnitRange(_ kind: NetworkKind) throws {
        let model = try Model(kind: kind, imageSize: 64, channels: 1, classes: 2, batchCapacity: 1)
        model.executor.initializeParameters(seed: 5)
        let cache = ImageCache(
            folder: ImageFolder(root: URL(fileURLWithPath: "/"), classNames: ["unlabeled"], images: [LabeledImage(path: "a.png", label: 0)]),
            imageSize: 64, channels: 1, pixels: (0..<64 * 64).map(Self.pattern))
        let gradCAM = try GradCAM(model: model)
        let maps = try gradCAM.maps(cache, classes: [0], threads: 1) + gradCAM.maps(cache, classes: [1], threads: 1)
        for map in maps { #expect(map.count == 64 * 64 && map.allSatisfy { (0...1).contains($0) }) }
        // ReLU may leave one class's map empty; both empty would mean no gradient reached the stage.
        #expect(maps.contains { $0.max() == 1 }, "both classes' maps are empty: no gradient reached \(kind.rawValue)'s stage")
    }
}

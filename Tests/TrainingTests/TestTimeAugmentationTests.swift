import Data
import Evaluation
import Foundation
import Losses
import Networks
import Support
import Testing

@Suite struct TestTimeAugmentationTests {
    /// Five 32 x 32 grey images of random pixels, two classes, on a freshly initialised `tiny`.
    static func setUp() throws -> (Model, ImageCache) {
        let model = try Model(kind: .tiny, imageSize: 32, channels: 1, classes: 2, batchCapacity: 2)
        model.executor.initializeParameters(seed: 3)
        var generator = SplitMix64(seed: 9)
        let images = (0..<5).map { LabeledImage(path: "c\($0 % 2)/\($0).jpg", label: $0 % 2) }
        let folder = ImageFolder(root: URL(fileURLWithPath: "/x"), classNames: ["a", "b"], images: images)
        let pixels = (0..<(5 * 32 * 32)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return (model, ImageCache(folder: folder, imageSize: 32, channels: 1, pixels: pixels))
    }

    static func evaluate(_ model: Model, _ cache: ImageCache, views: [RadiographTransform]?) throws -> Evaluation {
        try Evaluator(model: model, loss: LossConfiguration(kind: .crossEntropy), metricChunk: 4, threads: 1, views: views).evaluate(cache)
    }

    @Test func theViewsAreAveragedAndTheLossIsTheAveragedPredictions() throws {
        let (model, cache) = try Self.setUp()
        let single = try Self.evaluate(model, cache, views: nil)
        let identity = try Self.evaluate(model, cache, views: [RadiographTransform()])
        #expect(identity.probabilities == single.probabilities)
        #expect(identity.crossEntropy == single.crossEntropy)

        let views = TestTimeAugmentation.views
        let each = try views.map { try Self.evaluate(model, cache, views: [$0]) }
        let averaged = try Self.evaluate(model, cache, views: views)
        for index in averaged.probabilities.indices {
            let mean = each.map { $0.probabilities[index] }.reduce(0, +) / Float(views.count)
            #expect(abs(averaged.probabilities[index] - mean) < 1e-6)
        }
        for index in averaged.embeddings.indices {
            let mean = each.map { $0.embeddings[index] }.reduce(0, +) / Float(views.count)
            #expect(abs(averaged.embeddings[index] - mean) < 1e-5)
        }
        let expectedLoss = -cache.labels.enumerated().map { sample, label in
            log(Double(averaged.probabilities[sample * 2 + label]))
        }.reduce(0, +) / 5
        #expect(abs(averaged.crossEntropy - expectedLoss) < 1e-6)
        // The views are views: a turned image is not the image.
        #expect(each[1].probabilities != each[0].probabilities)
    }
}

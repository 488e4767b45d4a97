import Data
import Engine
@testable import Export
import Networks
import Testing

@Suite struct TestTimeAugmentationMappingTests {
    @Test func theIdentityViewSamplesEveryPixelAtItsCentre() {
        let grid = OnnxGraphBuilder.samplingGrid(RadiographTransform(), size: 4)
        // Centres of 4 pixels between edges -1 and 1: -3/4, -1/4, 1/4, 3/4; x varies fastest.
        let centres: [Float] = [-0.75, -0.25, 0.25, 0.75]
        let expected = centres.flatMap { y in centres.flatMap { x in [x, y] } }
        #expect(zip(grid, expected).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(grid.count == expected.count)
    }

    @Test func zoomingInSamplesNearerTheCentreAndATurnMovesTheCorners() {
        let identity = OnnxGraphBuilder.samplingGrid(RadiographTransform(), size: 8)
        let zoomed = OnnxGraphBuilder.samplingGrid(RadiographTransform(scale: 1.05), size: 8)
        #expect(zip(zoomed, identity).allSatisfy { abs($0) < abs($1) })
        let turned = OnnxGraphBuilder.samplingGrid(RadiographTransform(rotationDegrees: 5), size: 8)
        // Turning keeps each source at its distance from the centre.
        for pixel in 0..<64 {
            let before = identity[2 * pixel] * identity[2 * pixel] + identity[2 * pixel + 1] * identity[2 * pixel + 1]
            let after = turned[2 * pixel] * turned[2 * pixel] + turned[2 * pixel + 1] * turned[2 * pixel + 1]
            #expect(abs(before - after) < 1e-5)
        }
        #expect(turned != identity)
    }

    @Test func theNetworkRunsOnEveryViewAndTheOutputsAreTheirMeans() throws {
        let graph = try makeGraph(.tiny, inputShape: TensorShape(height: 32, width: 32, channels: 1), classes: 2)
        let exporter = OnnxExporter(graph: graph, parameterValues: OnnxExporterTests.distinctValues(graph))
        let onnx = try exporter.makeGraph(temperature: nil, views: TestTimeAugmentation.views)
        let counts = Dictionary(onnx.node.map { ($0.opType, 1) }, uniquingKeysWith: +)
        #expect(counts["GridSample"] == 5 && counts["Expand"] == 5 && counts["ReduceMean"] == 2)
        let concat = try #require(onnx.node.first { $0.opType == "Concat" && $0.input.count == 5 })
        // The network's first convolution reads the stacked views, not the image.
        #expect(onnx.node.first { $0.opType == "Conv" }?.input[0] == concat.output[0])
        let means = onnx.node.filter { $0.opType == "ReduceMean" }.flatMap(\.output)
        #expect(Set(means) == ["embedding", "probabilities"])
        #expect(try #require(onnx.initializer.first { $0.name == "view3.grid" }).dims == [1, 32, 32, 2])
    }

    @Test func aTemperatureScalesTheLogarithmOfTheAveragedProbabilities() throws {
        let graph = try makeGraph(.tiny, inputShape: TensorShape(height: 32, width: 32, channels: 1), classes: 2)
        let onnx = try OnnxExporter(graph: graph, parameterValues: OnnxExporterTests.distinctValues(graph))
            .makeGraph(temperature: 1.5, views: TestTimeAugmentation.views)
        let tail = onnx.node.suffix(4).map(\.opType)
        #expect(tail == ["Max", "Log", "Div", "Softmax"])
        #expect(onnx.node.last?.output == ["probabilities"])
    }
}

import Engine
import Networks
import Testing

/// Grad-CAM looks at the feature map the embedding pools; every network must name it.
@Suite struct LastConvolutionalStageTests {
    @Test(arguments: NetworkKind.allCases)
    func everyNetworkNamesTheSpatialMapItsEmbeddingPools(_ kind: NetworkKind) throws {
        let graph = try makeGraph(kind, inputShape: TensorShape(height: 64, width: 64, channels: 1), classes: 2)
        let stage = try #require(graph.lastConvolutionalStage)
        #expect(graph.nodes[graph.embedding.index].inputs == [stage])
        let shape = graph.shape(of: stage)
        #expect(shape.height > 1 && shape.width == shape.height && shape.channels == kind.embeddingWidth)
    }
}

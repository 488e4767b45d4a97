@testable import Engine
import Testing

@Suite struct GradientPlanTests {
    /// stem → max pool → relu → x + x, then the embedding and logits: the pool only adds
    /// into the stem's gradient, the relu can overwrite the pool's, and the sum reads one
    /// tensor twice.
    static func graph() -> (graph: Graph, stem: NodeID, pooled: NodeID, activated: NodeID, doubled: NodeID) {
        let builder = GraphBuilder(inputShape: TensorShape(height: 6, width: 6, channels: 1))
        let stem = builder.convolution(builder.input, outputChannels: 4, kernelSize: 3, stride: 1, padding: 1, name: "stem")
        let pooled = builder.maxPool(stem, kernelSize: 2, stride: 2)
        let activated = builder.relu(pooled)
        let doubled = builder.add(activated, activated)
        let embedding = builder.globalAveragePool(doubled)
        let logits = builder.linear(embedding, outputFeatures: 2, name: "classifier")
        return (builder.build(embedding: embedding, logits: logits), stem, pooled, activated, doubled)
    }

    @Test func firstWriterThatOnlyAddsHasItsGradientZeroedBeforeIt() {
        let (graph, stem, pooled, _, _) = Self.graph()
        let plan = GradientPlan(graph: graph, batchCapacity: 2, sharesBuffers: true)
        #expect(plan.overwritesInputGradients[pooled.index] == [false])
        #expect(plan.zeroedBeforeBackward[pooled.index] == [stem.index])
    }

    @Test func firstWriterThatCanOverwriteIsToldToAndNothingIsZeroed() {
        let (graph, _, pooled, activated, _) = Self.graph()
        let plan = GradientPlan(graph: graph, batchCapacity: 2, sharesBuffers: true)
        #expect(plan.overwritesInputGradients[activated.index] == [true])
        #expect(plan.zeroedBeforeBackward[activated.index].isEmpty)
        #expect(!plan.zeroedBeforeBackward.joined().contains(pooled.index))
    }

    @Test func tensorReadTwiceByOneOperationIsOverwrittenByItsFirstSlotOnly() {
        let (graph, _, _, _, doubled) = Self.graph()
        let plan = GradientPlan(graph: graph, batchCapacity: 2, sharesBuffers: true)
        #expect(plan.overwritesInputGradients[doubled.index] == [true, false])
    }

    @Test func seededGradientsAreNeverOverwrittenNorZeroedInBackward() {
        let (graph, _, _, _, _) = Self.graph()
        let plan = GradientPlan(graph: graph, batchCapacity: 2, sharesBuffers: true)
        for (index, node) in graph.nodes.enumerated() {
            for (slot, input) in node.inputs.enumerated() where plan.seededNodes.contains(input.index) {
                #expect(!plan.overwritesInputGradients[index][slot])
            }
        }
        #expect(plan.zeroedBeforeBackward.joined().allSatisfy { !plan.seededNodes.contains($0) })
    }
}

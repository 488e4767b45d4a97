import Engine
import Testing

@Suite struct LinearTests {
    static let inputShape = TensorShape(height: 2, width: 3, channels: 2)

    @Test(arguments: [true, false])
    func forwardIsInputTimesWeightTransposedPlusBias(bias: Bool) {
        let linear = Linear(inputShape: Self.inputShape, outputFeatures: 5, bias: bias)
        let harness = OperationHarness(linear, batch: 3)
        harness.forward(RunContext(batch: 3, training: true))
        let features = Self.inputShape.elementCount
        var expected: [Float] = []
        for sample in 0..<3 {
            for output in 0..<5 {
                var sum = bias ? Double(harness.parameters[5 * features + output]) : 0
                for feature in 0..<features {
                    sum += Double(harness.inputs[0][sample * features + feature])
                        * Double(harness.parameters[output * features + feature])
                }
                expected.append(Float(sum))
            }
        }
        #expect(largestRelativeDifference(harness.output, expected) <= 1e-5)
    }

    @Test(arguments: [true, false])
    func backwardMatchesFiniteDifferences(bias: Bool) {
        expectGradientsMatchFiniteDifferences(Linear(inputShape: Self.inputShape, outputFeatures: 5, bias: bias), batch: 3)
    }

    @Test func backwardAddsIntoExistingGradients() {
        expectBackwardAccumulates(Linear(inputShape: Self.inputShape, outputFeatures: 4))
    }

    @Test func backwardOverwritesWhenFirstToWrite() {
        expectBackwardOverwrites(Linear(inputShape: Self.inputShape, outputFeatures: 4))
    }

    @Test func allocatesNothing() {
        expectNoHeapAllocation(Linear(inputShape: Self.inputShape, outputFeatures: 4))
    }

    @Test func computesOnlyTheContextBatch() {
        expectOnlyContextBatchIsComputed(Linear(inputShape: Self.inputShape, outputFeatures: 4))
    }
}

import Engine

/// One operation timed forward and backward outside any graph, on an `OperationHarness`.
public struct OperationBenchmark {
    public let label: String
    public let operation: any Operation
    /// Whether backward also computes the input's gradient (false for the image).
    public let needsInputGradient: Bool

    public init(label: String, operation: any Operation, needsInputGradient: Bool) {
        self.label = label
        self.operation = operation
        self.needsInputGradient = needsInputGradient
    }

    /// Multiply-accumulates of one backward pass: the weight gradient costs as much as the
    /// forward pass, and so does the input gradient where it is computed.
    public func backwardMultiplyAccumulates(batch: Int) -> Int {
        operation.multiplyAccumulates(batch: batch) * (needsInputGradient ? 2 : 1)
    }

    /// Median seconds of forward and of backward over `repeats` timed calls each, after
    /// `warmUp` untimed pairs (which also leave backward what forward saves), on an
    /// `OperationHarness`'s seeded buffers.
    public func measure(batch: Int, repeats: Int, threads: Int, warmUp: Int = 2) -> (forward: Double, backward: Double) {
        let harness = OperationHarness(operation, batch: batch, seed: 0xBE7C)
        harness.needsInputGradients = needsInputGradient
        let context = RunContext(batch: batch, training: true, threads: threads)
        return harness.withIO { io in
            for _ in 0..<warmUp {
                operation.forward(io, context)
                operation.backward(io, context)
            }
            let forward = medianSeconds(repeats) { operation.forward(io, context) }
            let backward = medianSeconds(repeats) { operation.backward(io, context) }
            return (forward, backward)
        }
    }

    private func medianSeconds(_ repeats: Int, _ body: () -> Void) -> Double {
        let clock = ContinuousClock()
        let times = (0..<max(1, repeats)).map { _ in
            let elapsed = clock.measure(body)
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        }.sorted()
        return times.count % 2 == 1
            ? times[times.count / 2]
            : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
    }
}

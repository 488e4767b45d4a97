import Engine
import Support

/// One operation timed forward and backward outside any graph, on buffers of its own filled
/// with seeded random values.
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
    /// `warmUp` untimed pairs (which also leave backward what forward saves).
    public func measure(batch: Int, repeats: Int, threads: Int, warmUp: Int = 2) -> (forward: Double, backward: Double) {
        var buffers: [UnsafeMutableBufferPointer<Float>] = []
        defer { for buffer in buffers { buffer.deallocate() } }
        var generator = SplitMix64(seed: 0xBE7C)
        func allocate(_ count: Int, random: Bool = false) -> UnsafeMutablePointer<Float> {
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(1, count))
            buffer.initialize(repeating: 0)
            if random { Initializer.uniform(bound: 1).fill(buffer, using: &generator) }
            buffers.append(buffer)
            return buffer.baseAddress!
        }
        let trainable = operation.parameterSpecs.filter(\.trainable)
        let parameters = allocate(trainable.reduce(0) { $0 + $1.elementCount })
        var offset = 0
        for spec in trainable {
            spec.initializer.fill(UnsafeMutableBufferPointer(start: parameters + offset, count: spec.elementCount),
                                  using: &generator)
            offset += spec.elementCount
        }
        let io = OperationIO(
            inputs: operation.inputShapes.map { allocate($0.elementCount * batch, random: true) },
            inputGradients: operation.inputShapes.map { needsInputGradient ? allocate($0.elementCount * batch) : nil },
            output: allocate(operation.outputShape.elementCount * batch),
            outputGradient: allocate(operation.outputShape.elementCount * batch, random: true),
            parameters: parameters,
            parameterGradients: allocate(offset),
            state: allocate(operation.parameterSpecs.filter { !$0.trainable }.reduce(0) { $0 + $1.elementCount }),
            saved: allocate(operation.savedCount(batch: batch)),
            workspace: allocate(operation.workspaceCount(batch: batch)))

        let context = RunContext(batch: batch, training: true, threads: threads)
        for _ in 0..<warmUp {
            operation.forward(io, context)
            operation.backward(io, context)
        }
        let forward = medianSeconds(repeats) { operation.forward(io, context) }
        let backward = medianSeconds(repeats) { operation.backward(io, context) }
        return (forward, backward)
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

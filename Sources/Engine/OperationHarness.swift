import Support

/// Buffers for running one operation outside a graph, filled with seeded random values, and
/// the `OperationIO` pointing into them: what the operation tests and `bstrain bench --ops`
/// run an operation on. The arrays are public so that a test can set or read any of them
/// between calls.
public final class OperationHarness {
    public let operation: any Operation
    /// Samples the buffers hold.
    public let batch: Int
    /// One array per input, (batch, H, W, C): standard normal values.
    public var inputs: [[Float]]
    /// Trainable parameters in `parameterSpecs` order: standard normal values.
    public var parameters: [Float]
    /// Non-trainable state as its initializer leaves it (running variances 1, means 0).
    public var state: [Float]
    public var output: [Float]
    /// Standard normal values, as if a loss had written them.
    public var outputGradient: [Float]
    public var inputGradients: [[Float]]
    public var parameterGradients: [Float]
    public var saved: [Float]
    public var workspace: [Float]
    /// Backward's write mode for each input gradient (see `OperationIO.overwritesInputGradients`).
    public var overwritesInputGradients: [Bool]
    /// Whether backward is given the input gradients; without them it computes only the
    /// parameter gradients, as for the image.
    public var needsInputGradients = true

    /// - Parameters:
    ///   - operation: the operation to run.
    ///   - batch: samples every buffer holds.
    ///   - seed: seed of the inputs, parameters and output gradient.
    public init(_ operation: any Operation, batch: Int, seed: UInt64 = 1) {
        self.operation = operation
        self.batch = batch
        var generator = SplitMix64(seed: seed)
        func random(_ count: Int) -> [Float] { (0..<count).map { _ in generator.nextNormal() } }
        inputs = operation.inputShapes.map { random($0.elementCount * batch) }
        let trainable = operation.parameterSpecs.filter(\.trainable).reduce(0) { $0 + $1.elementCount }
        parameters = random(trainable)
        state = operation.parameterSpecs.filter { !$0.trainable }.flatMap { spec -> [Float] in
            spec.initializer == .ones ? Array(repeating: 1, count: spec.elementCount) : Array(repeating: 0, count: spec.elementCount)
        }
        output = Array(repeating: 0, count: operation.outputShape.elementCount * batch)
        outputGradient = random(output.count)
        inputGradients = inputs.map { Array(repeating: 0, count: $0.count) }
        parameterGradients = Array(repeating: 0, count: parameters.count)
        saved = Array(repeating: 0, count: max(1, operation.savedCount(batch: batch)))
        workspace = Array(repeating: 0, count: max(1, operation.workspaceCount(batch: batch)))
        overwritesInputGradients = inputs.map { _ in false }
    }

    /// Runs `body` with an `OperationIO` pointing into this harness's arrays, valid only
    /// inside `body`.
    public func withIO<R>(_ body: (OperationIO) -> R) -> R {
        // Recursing through a buffer of the arrays, not `inout` on the outer array: each level
        // pins one inner array while the next level pins another, which `inout` would forbid.
        func pinned(_ arrays: UnsafeMutableBufferPointer<[Float]>, _ index: Int, _ collected: [UnsafeMutablePointer<Float>],
                    _ rest: ([UnsafeMutablePointer<Float>]) -> R) -> R {
            if index == arrays.count { return rest(collected) }
            return arrays[index].withUnsafeMutableBufferPointer { buffer in
                pinned(arrays, index + 1, collected + [buffer.baseAddress!], rest)
            }
        }
        // Operations without parameters or state never read them; any non-null pointer will do.
        let unused = UnsafeMutablePointer<Float>(bitPattern: 8)!
        return inputs.withUnsafeMutableBufferPointer { inputs in
        inputGradients.withUnsafeMutableBufferPointer { inputGradients in
        pinned(inputs, 0, []) { inputPointers in
        pinned(inputGradients, 0, []) { gradientPointers in
        output.withUnsafeMutableBufferPointer { output in
        outputGradient.withUnsafeMutableBufferPointer { outputGradient in
        parameters.withUnsafeMutableBufferPointer { parameters in
        parameterGradients.withUnsafeMutableBufferPointer { parameterGradients in
        state.withUnsafeMutableBufferPointer { state in
        saved.withUnsafeMutableBufferPointer { saved in
        workspace.withUnsafeMutableBufferPointer { workspace in
            body(OperationIO(
                inputs: inputPointers,
                inputGradients: needsInputGradients ? gradientPointers : gradientPointers.map { _ in nil },
                overwritesInputGradients: overwritesInputGradients,
                output: output.baseAddress!, outputGradient: outputGradient.baseAddress!,
                parameters: parameters.baseAddress ?? unused,
                parameterGradients: parameterGradients.baseAddress ?? unused,
                state: state.baseAddress ?? unused,
                saved: saved.baseAddress!, workspace: workspace.baseAddress!))
        }}}}}}}}}}}
    }

    public func forward(_ context: RunContext) { withIO { operation.forward($0, context) } }
    public func backward(_ context: RunContext) { withIO { operation.backward($0, context) } }
}

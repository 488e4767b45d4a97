import Engine
import Support
import Testing

/// Buffers for running one operation outside a graph, filled with seeded random values.
final class OperationHarness {
    let operation: any Operation
    let batch: Int
    var inputs: [[Float]]
    var parameters: [Float]
    var state: [Float]
    var output: [Float]
    var outputGradient: [Float]
    var inputGradients: [[Float]]
    var parameterGradients: [Float]
    var saved: [Float]
    var workspace: [Float]
    /// Backward's write mode for each input gradient (see `OperationIO.overwritesInputGradients`).
    var overwritesInputGradients: [Bool]

    init(_ operation: any Operation, batch: Int, seed: UInt64 = 1) {
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

    /// Runs `body` with an `OperationIO` pointing into this harness's arrays.
    func withIO<R>(_ body: (OperationIO) -> R) -> R {
        // Recursing through a buffer of the arrays, not `inout` on the outer array: each level
        // pins one inner array while the next level pins another, which `inout` would forbid.
        func pinned(_ arrays: UnsafeMutableBufferPointer<[Float]>, _ index: Int, _ collected: [UnsafeMutablePointer<Float>],
                    _ rest: ([UnsafeMutablePointer<Float>]) -> R) -> R {
            if index == arrays.count { return rest(collected) }
            return arrays[index].withUnsafeMutableBufferPointer { buffer in
                pinned(arrays, index + 1, collected + [buffer.baseAddress!], rest)
            }
        }
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
                inputs: inputPointers, inputGradients: gradientPointers,
                overwritesInputGradients: overwritesInputGradients,
                output: output.baseAddress!, outputGradient: outputGradient.baseAddress!,
                parameters: parameters.baseAddress ?? UnsafeMutablePointer(bitPattern: 8)!,
                parameterGradients: parameterGradients.baseAddress ?? UnsafeMutablePointer(bitPattern: 8)!,
                state: state.baseAddress ?? UnsafeMutablePointer(bitPattern: 8)!,
                saved: saved.baseAddress!, workspace: workspace.baseAddress!))
        }}}}}}}}}}}
    }

    func forward(_ context: RunContext) { withIO { operation.forward($0, context) } }
    func backward(_ context: RunContext) { withIO { operation.backward($0, context) } }

    /// Σ output · outputGradient in double precision: the scalar whose gradient is checked.
    func objective(_ context: RunContext) -> Double {
        forward(context)
        return zip(output, outputGradient).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }
}

/// Checks an operation's backward against central finite differences of Σ output·r for a
/// random r, on every input and parameter element (or an evenly spaced sample of `limit`).
func expectGradientsMatchFiniteDifferences(
    _ operation: any Operation, batch: Int = 2, training: Bool = true,
    step: Float = 1e-2, tolerance: Double = 2e-2, limit: Int = 400,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let harness = OperationHarness(operation, batch: batch)
    let context = RunContext(batch: batch, training: training, threads: 1, seed: 7, step: 3)
    harness.forward(context)
    harness.backward(context)

    func check(_ label: String, count: Int, analytic: [Float], perturb: (Int, Float) -> Void) {
        let stride = max(1, count / limit)
        var worst = 0.0
        var worstIndex = -1
        for index in Swift.stride(from: 0, to: count, by: stride) {
            perturb(index, step)
            let plus = harness.objective(context)
            perturb(index, -2 * step)
            let minus = harness.objective(context)
            perturb(index, step)
            let numeric = (plus - minus) / Double(2 * step)
            let error = abs(numeric - Double(analytic[index])) / max(1, abs(numeric))
            if error > worst { worst = error; worstIndex = index }
        }
        #expect(worst <= tolerance,
                "\(type(of: operation)) \(label)[\(worstIndex)]: relative error \(worst)",
                sourceLocation: sourceLocation)
    }

    let analyticInputs = harness.inputGradients
    for input in analyticInputs.indices {
        check("input \(input)", count: harness.inputs[input].count, analytic: analyticInputs[input]) {
            harness.inputs[input][$0] += $1
        }
    }
    let analyticParameters = harness.parameterGradients
    check("parameter", count: harness.parameters.count, analytic: analyticParameters) {
        harness.parameters[$0] += $1
    }
}

import Engine
import Testing

extension OperationHarness {
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

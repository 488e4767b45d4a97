import Engine
import Support
import Testing

/// Checks that an operation run with `context.batch` below its buffers' capacity reads and
/// writes only those samples: the samples past it hold NaN, which would poison any output or
/// parameter gradient that touched them, and their outputs and input gradients must stay as
/// they were. Results must match a run on buffers sized exactly for the smaller batch.
func expectOnlyContextBatchIsComputed(
    _ operation: any Operation, batch: Int = 2, capacity: Int = 3,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let exact = OperationHarness(operation, batch: batch)
    let roomy = OperationHarness(operation, batch: capacity)
    let context = RunContext(batch: batch, training: true, threads: 1)
    func padded(_ values: [Float], to count: Int) -> [Float] {
        values + [Float](repeating: .nan, count: count - values.count)
    }
    roomy.inputs = zip(exact.inputs, roomy.inputs).map { padded($0, to: $1.count) }
    roomy.parameters = exact.parameters
    roomy.state = exact.state
    roomy.outputGradient = padded(exact.outputGradient, to: roomy.outputGradient.count)
    roomy.output = [Float](repeating: -7, count: roomy.output.count)

    exact.forward(context)
    exact.backward(context)
    roomy.forward(context)
    roomy.backward(context)

    let kept = exact.output.count
    #expect(largestRelativeDifference(Array(roomy.output[..<kept]), exact.output) <= 1e-5,
            "\(type(of: operation)) output differs with spare capacity", sourceLocation: sourceLocation)
    #expect(roomy.output[kept...].allSatisfy { $0 == -7 },
            "\(type(of: operation)) wrote outputs past context.batch", sourceLocation: sourceLocation)
    #expect(largestRelativeDifference(roomy.parameterGradients, exact.parameterGradients) <= 1e-5,
            "\(type(of: operation)) parameter gradient differs with spare capacity", sourceLocation: sourceLocation)
    for (roomyGradient, exactGradient) in zip(roomy.inputGradients, exact.inputGradients) {
        let used = exactGradient.count
        #expect(largestRelativeDifference(Array(roomyGradient[..<used]), exactGradient) <= 1e-5,
                "\(type(of: operation)) input gradient differs with spare capacity", sourceLocation: sourceLocation)
        #expect(roomyGradient[used...].allSatisfy { $0 == 0 },
                "\(type(of: operation)) wrote input gradients past context.batch", sourceLocation: sourceLocation)
    }
}

/// Checks that backward adds into the gradients rather than overwriting them (a tensor read
/// by two operations relies on it): a second backward doubles every gradient.
func expectBackwardAccumulates(
    _ operation: any Operation, batch: Int = 2, sourceLocation: SourceLocation = #_sourceLocation
) {
    let harness = OperationHarness(operation, batch: batch)
    let context = RunContext(batch: batch, training: true, threads: 1)
    harness.forward(context)
    harness.backward(context)
    let once = (inputs: harness.inputGradients, parameters: harness.parameterGradients)
    harness.backward(context)
    for (twice, single) in zip(harness.inputGradients, once.inputs) {
        #expect(largestRelativeDifference(twice, single.map { 2 * $0 }) <= 1e-5,
                "\(type(of: operation)) input gradient is not accumulated", sourceLocation: sourceLocation)
    }
    #expect(largestRelativeDifference(harness.parameterGradients, once.parameters.map { 2 * $0 }) <= 1e-5,
            "\(type(of: operation)) parameter gradient is not accumulated", sourceLocation: sourceLocation)
}

/// Checks that backward declares it can overwrite some input gradient
/// (`canOverwriteInputGradient`) and keeps the write rule on every input gradient: see
/// `expectBackwardWritesInputGradientsAsDeclared`.
func expectBackwardOverwrites(
    _ operation: any Operation, batch: Int = 2, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(operation.inputShapes.indices.contains { operation.canOverwriteInputGradient($0) },
            "\(type(of: operation)) declares no input gradient it can overwrite", sourceLocation: sourceLocation)
    expectBackwardWritesInputGradientsAsDeclared(operation, batch: batch, sourceLocation: sourceLocation)
}

/// Checks that backward declares no input gradient it can overwrite, so the executor zeroes
/// those it writes first, and that it adds onto what each gradient held.
func expectBackwardOnlyAccumulates(
    _ operation: any Operation, batch: Int = 2, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(!operation.inputShapes.indices.contains { operation.canOverwriteInputGradient($0) },
            "\(type(of: operation)) declares an input gradient it can overwrite", sourceLocation: sourceLocation)
    expectBackwardWritesInputGradientsAsDeclared(operation, batch: batch, sourceLocation: sourceLocation)
}

/// Checks the write rule on each input gradient against backward adding into zeros. An input
/// whose gradient the operation declares it can overwrite, told to overwrite, must end with the
/// gradient alone whatever the buffer held: it starts on NaN, which any read would spread. Any
/// other input must end with what its buffer held (seeded values) plus the gradient. Parameter
/// gradients are always added.
func expectBackwardWritesInputGradientsAsDeclared(
    _ operation: any Operation, batch: Int = 2, sourceLocation: SourceLocation = #_sourceLocation
) {
    let fromZeros = OperationHarness(operation, batch: batch)
    let asDeclared = OperationHarness(operation, batch: batch)
    let overwritten = operation.inputShapes.indices.map { operation.canOverwriteInputGradient($0) }
    var generator = SplitMix64(seed: 9)
    let held = asDeclared.inputGradients.map { $0.map { _ in generator.nextNormal() } }
    asDeclared.overwritesInputGradients = overwritten
    asDeclared.inputGradients = zip(held, overwritten).map { values, overwritten in
        overwritten ? values.map { _ in .nan } : values
    }
    let context = RunContext(batch: batch, training: true, threads: 1)
    for harness in [fromZeros, asDeclared] {
        harness.forward(context)
        harness.backward(context)
    }
    for input in overwritten.indices {
        let gradient = fromZeros.inputGradients[input], written = asDeclared.inputGradients[input]
        if overwritten[input] {
            #expect(written.allSatisfy(\.isFinite) && largestRelativeDifference(written, gradient) <= 1e-6,
                    "\(type(of: operation)) input \(input) gradient is not overwritten", sourceLocation: sourceLocation)
        } else {
            let expected = zip(held[input], gradient).map { $0 + $1 }
            #expect(largestRelativeDifference(written, expected) <= 1e-5,
                    "\(type(of: operation)) input \(input) gradient is not added onto what it held",
                    sourceLocation: sourceLocation)
        }
    }
    #expect(largestRelativeDifference(asDeclared.parameterGradients, fromZeros.parameterGradients) <= 1e-6,
            "\(type(of: operation)) parameter gradient differs when input gradients are overwritten",
            sourceLocation: sourceLocation)
}

/// Checks that running the direct loops on several threads gives the single-threaded result
/// (up to summation order in parameter gradients).
func expectThreadCountDoesNotChangeResults(
    _ operation: any Operation, batch: Int = 4, threads: Int = 3,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let single = OperationHarness(operation, batch: batch)
    let threaded = OperationHarness(operation, batch: batch)
    single.forward(RunContext(batch: batch, training: true, threads: 1))
    single.backward(RunContext(batch: batch, training: true, threads: 1))
    threaded.forward(RunContext(batch: batch, training: true, threads: threads))
    threaded.backward(RunContext(batch: batch, training: true, threads: threads))
    #expect(largestRelativeDifference(threaded.output, single.output) <= 1e-6,
            "\(type(of: operation)) output depends on threads", sourceLocation: sourceLocation)
    #expect(largestRelativeDifference(threaded.parameterGradients, single.parameterGradients) <= 1e-5,
            "\(type(of: operation)) parameter gradient depends on threads", sourceLocation: sourceLocation)
    for (threadedGradient, singleGradient) in zip(threaded.inputGradients, single.inputGradients) {
        #expect(largestRelativeDifference(threadedGradient, singleGradient) <= 1e-6,
                "\(type(of: operation)) input gradient depends on threads", sourceLocation: sourceLocation)
    }
}

import Support

/// Concatenation along channels of inputs with equal H and W (PeleeNet's dense layers,
/// ShuffleNet-V2's units).
public final class Concatenate: Operation {
    public let inputShapes: [TensorShape]
    public let outputShape: TensorShape

    public init(inputShapes: [TensorShape]) {
        precondition(!inputShapes.isEmpty)
        let first = inputShapes[0]
        precondition(inputShapes.allSatisfy { $0.height == first.height && $0.width == first.width },
                     "concatenated tensors must share height and width: \(inputShapes)")
        self.inputShapes = inputShapes
        outputShape = TensorShape(height: first.height, width: first.width,
                                  channels: inputShapes.reduce(0) { $0 + $1.channels })
    }

    public var kind: OperationKind { .dataMovement }

    public func forward(_ io: OperationIO, _ context: RunContext) {
        let rows = context.batch * outputShape.height * outputShape.width
        let channels = outputShape.channels
        let inputs = io.inputs
        parallelFor(rows, threads: context.threads, minimumChunk: max(1, streamingGrain / channels)) { rows in
            for row in rows {
                var offset = 0
                // Indices rather than zip: see Add.backward.
                for input in 0..<inputShapes.count {
                    let width = inputShapes[input].channels
                    copyFloats(width, from: inputs[input] + row * width, to: io.output + row * channels + offset)
                    offset += width
                }
            }
        }
    }

    public func backward(_ io: OperationIO, _ context: RunContext) {
        let rows = context.batch * outputShape.height * outputShape.width
        let channels = outputShape.channels
        let inputGradients = io.inputGradients, accumulates = io.accumulatesInputGradients
        parallelFor(rows, threads: context.threads, minimumChunk: max(1, streamingGrain / channels)) { rows in
            for row in rows {
                var offset = 0
                // Inputs in slot order within a row: a tensor concatenated twice is overwritten
                // by its first slot, then added to by the second, as the executor plans.
                for input in 0..<inputShapes.count {
                    let width = inputShapes[input].channels
                    if let dx = inputGradients[input] {
                        let source = io.outputGradient + row * channels + offset, target = dx + row * width
                        if accumulates[input] {
                            AccumulateGradient.write(width, from: source, to: target)
                        } else {
                            OverwriteGradient.write(width, from: source, to: target)
                        }
                    }
                    offset += width
                }
            }
        }
    }
}

/// Channels `range` of the input (ShuffleNet-V2's channel split takes the two halves).
public final class ChannelSlice: Operation {
    public let inputShapes: [TensorShape]
    public let outputShape: TensorShape
    public let range: Range<Int>

    public init(inputShape: TensorShape, range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= inputShape.channels && !range.isEmpty)
        inputShapes = [inputShape]
        outputShape = TensorShape(height: inputShape.height, width: inputShape.width, channels: range.count)
        self.range = range
    }

    public var kind: OperationKind { .dataMovement }

    public func forward(_ io: OperationIO, _ context: RunContext) {
        let rows = context.batch * outputShape.height * outputShape.width
        let inputChannels = inputShapes[0].channels, width = range.count, first = range.lowerBound
        let input = io.inputs[0], output = io.output
        parallelFor(rows, threads: context.threads, minimumChunk: max(1, streamingGrain / width)) { rows in
            for row in rows { copyFloats(width, from: input + row * inputChannels + first, to: output + row * width) }
        }
    }

    public func backward(_ io: OperationIO, _ context: RunContext) {
        guard let dx = io.inputGradients[0] else { return }
        let rows = context.batch * outputShape.height * outputShape.width
        let inputChannels = inputShapes[0].channels, width = range.count, first = range.lowerBound
        let dy = io.outputGradient
        guard io.accumulatesInputGradients[0] else {
            // The first writer of the input's gradient owns all its channels: those outside
            // the slice get zero, and another slice of the same input adds its share later.
            let last = range.upperBound
            parallelFor(rows, threads: context.threads, minimumChunk: max(1, streamingGrain / inputChannels)) { rows in
                for row in rows {
                    let target = dx + row * inputChannels
                    zeroFloats(first, at: target)
                    copyFloats(width, from: dy + row * width, to: target + first)
                    zeroFloats(inputChannels - last, at: target + last)
                }
            }
            return
        }
        parallelFor(rows, threads: context.threads, minimumChunk: max(1, streamingGrain / width)) { rows in
            for row in rows { addFloats(width, from: dy + row * width, to: dx + row * inputChannels + first) }
        }
    }
}

/// ShuffleNet's channel shuffle: view channels as (groups, C/groups), transpose, flatten.
/// Output channel j·groups + g comes from input channel g·(C/groups) + j.
///
/// Given `groups` inputs of equal width instead of one, it shuffles their concatenation, input
/// g being group g: ShuffleNet-V2 ends every unit so, and one pass over memory replaces the
/// two of a concatenation and a shuffle.
public final class ChannelShuffle: Operation {
    public let inputShapes: [TensorShape]
    public let outputShape: TensorShape
    public let groups: Int

    public convenience init(inputShape: TensorShape, groups: Int) {
        self.init(concatenating: [inputShape], groups: groups)
    }

    public init(concatenating inputShapes: [TensorShape], groups: Int) {
        let first = inputShapes[0]
        precondition(inputShapes.count == 1 || (inputShapes.count == groups && inputShapes.allSatisfy { $0 == first }),
                     "a shuffle takes one tensor, or one tensor per group, all alike: \(inputShapes) for \(groups) groups")
        precondition(first.channels * inputShapes.count % groups == 0)
        self.inputShapes = inputShapes
        outputShape = TensorShape(height: first.height, width: first.width, channels: first.channels * inputShapes.count)
        self.groups = groups
    }

    public var kind: OperationKind { .dataMovement }

    /// Group `group`'s channels in `row` of the inputs or their gradients, `tensor(i)` being
    /// the tensor of input i.
    @inline(__always)
    private func group(
        _ group: Int, row: Int, of tensor: (Int) -> UnsafeMutablePointer<Float>
    ) -> UnsafeMutablePointer<Float> {
        let perGroup = outputShape.channels / groups
        return inputShapes.count == 1
            ? tensor(0) + row * outputShape.channels + group * perGroup
            : tensor(group) + row * perGroup
    }

    public func forward(_ io: OperationIO, _ context: RunContext) {
        let rows = context.batch * outputShape.height * outputShape.width
        let channels = outputShape.channels, perGroup = channels / groups, groups = groups
        let inputs = io.inputs, y = io.output
        parallelFor(rows, threads: context.threads, minimumChunk: max(1, streamingGrain / channels)) { rows in
            for row in rows {
                let output = y + row * channels
                var j = 0
                if groups == 2 {
                    // ShuffleNet-V2's case: interleave the two halves four channels at a time.
                    let even = group(0, row: row) { inputs[$0] }, odd = group(1, row: row) { inputs[$0] }
                    while j + 4 <= perGroup {
                        var pair = SIMD8<Float>()
                        pair.evenHalf = SIMD4(loadingFrom: even + j)
                        pair.oddHalf = SIMD4(loadingFrom: odd + j)
                        pair.store(to: output + 2 * j)
                        j += 4
                    }
                }
                for g in 0..<groups {
                    let source = group(g, row: row) { inputs[$0] }
                    for j in j..<perGroup { output[j * groups + g] = source[j] }
                }
            }
        }
    }

    public func backward(_ io: OperationIO, _ context: RunContext) {
        // Each input's gradient is written in slot order, so a tensor fed twice is first
        // overwritten, then added to, as the executor plans.
        let targets = io.inputGradients
        guard targets.allSatisfy({ $0 != nil }) else { return }
        let modes = io.accumulatesInputGradients
        func write<First: GradientWrite, Second: GradientWrite>(_: First.Type, _: Second.Type) {
            writeGradients(targets, io.outputGradient, modes, context, First.self, Second.self)
        }
        // Two groups take one mode each (one input has one mode for both); more groups are
        // handled element by element, which only tests exercise.
        let first = modes[0], second = modes[modes.count == 1 ? 0 : 1]
        switch (first, second) {
        case (true, true): write(AccumulateGradient.self, AccumulateGradient.self)
        case (true, false): write(AccumulateGradient.self, OverwriteGradient.self)
        case (false, true): write(OverwriteGradient.self, AccumulateGradient.self)
        case (false, false): write(OverwriteGradient.self, OverwriteGradient.self)
        }
    }

    private func writeGradients<First: GradientWrite, Second: GradientWrite>(
        _ targets: [UnsafeMutablePointer<Float>?], _ dy: UnsafeMutablePointer<Float>, _ modes: [Bool],
        _ context: RunContext,
        _: First.Type, _: Second.Type
    ) {
        let rows = context.batch * outputShape.height * outputShape.width
        let channels = outputShape.channels, perGroup = channels / groups, groups = groups
        parallelFor(rows, threads: context.threads, minimumChunk: max(1, streamingGrain / channels)) { rows in
            for row in rows {
                let gradient = dy + row * channels
                if groups == 2 {
                    let even = group(0, row: row) { targets[$0]! }, odd = group(1, row: row) { targets[$0]! }
                    var j = 0
                    while j + 4 <= perGroup {
                        let pair = SIMD8<Float>(loadingFrom: gradient + 2 * j)
                        First.write(pair.evenHalf, to: even + j)
                        Second.write(pair.oddHalf, to: odd + j)
                        j += 4
                    }
                    for j in j..<perGroup {
                        First.write(gradient[2 * j], to: even + j)
                        Second.write(gradient[2 * j + 1], to: odd + j)
                    }
                    continue
                }
                for g in 0..<groups {
                    let target = group(g, row: row) { targets[$0]! }
                    for j in 0..<perGroup {
                        let value = gradient[j * groups + g]
                        if modes[targets.count == 1 ? 0 : g] { target[j] += value } else { target[j] = value }
                    }
                }
            }
        }
    }
}

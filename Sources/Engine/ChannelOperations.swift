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

    public func canOverwriteInputGradient(_ input: Int) -> Bool { true }

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
        let inputGradients = io.inputGradients, overwrites = io.overwritesInputGradients
        parallelFor(rows, threads: context.threads, minimumChunk: max(1, streamingGrain / channels)) { rows in
            for row in rows {
                var offset = 0
                // Inputs in slot order within a row: a tensor concatenated twice is written by
                // its first slot first, as the executor plans.
                for input in 0..<inputShapes.count {
                    let width = inputShapes[input].channels
                    if let dx = inputGradients[input] {
                        let source = io.outputGradient + row * channels + offset, target = dx + row * width
                        // Chosen per row and input: inputs may differ in mode, and one pass over
                        // the rows reads the output gradient once.
                        overwrites[input]
                            ? OverwriteGradient.write(width, from: source, to: target)
                            : AccumulateGradient.write(width, from: source, to: target)
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

    /// Overwriting, the slice's backward also writes the zero gradient of the channels
    /// outside it, so it writes every element of the input's gradient.
    public func canOverwriteInputGradient(_ input: Int) -> Bool { true }

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
        let dy = io.outputGradient, last = range.upperBound
        func write<Write: GradientWrite>(_: Write.Type) {
            parallelFor(rows, threads: context.threads, minimumChunk: max(1, streamingGrain / inputChannels)) { rows in
                for row in rows {
                    let target = dx + row * inputChannels
                    Write.writeZeros(first, to: target)
                    Write.write(width, from: dy + row * width, to: target + first)
                    Write.writeZeros(inputChannels - last, to: target + last)
                }
            }
        }
        io.overwritesInputGradients[0] ? write(OverwriteGradient.self) : write(AccumulateGradient.self)
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

    public func canOverwriteInputGradient(_ input: Int) -> Bool { true }

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
        let targets = io.inputGradients
        guard targets.allSatisfy({ $0 != nil }) else { return }
        // A tensor fed twice is written by its first slot first, as the executor plans: group
        // by group below, and within each four channels in the pairs of two groups.
        func mode(of group: Int) -> Bool { io.overwritesInputGradients[inputShapes.count == 1 ? 0 : group] }
        if groups == 2 {
            func writePairs<First: GradientWrite>(_: First.Type) {
                mode(of: 1)
                    ? writeGradientPairs(targets, io.outputGradient, context, First.self, OverwriteGradient.self)
                    : writeGradientPairs(targets, io.outputGradient, context, First.self, AccumulateGradient.self)
            }
            mode(of: 0) ? writePairs(OverwriteGradient.self) : writePairs(AccumulateGradient.self)
            return
        }
        // More groups than two, which only tests use: a pass per group.
        for group in 0..<groups {
            mode(of: group)
                ? writeGradient(of: group, targets, io.outputGradient, context, OverwriteGradient.self)
                : writeGradient(of: group, targets, io.outputGradient, context, AccumulateGradient.self)
        }
    }

    /// ShuffleNet-V2's two groups: output channel pairs split into the two groups' gradients,
    /// four pairs at a time.
    private func writeGradientPairs<First: GradientWrite, Second: GradientWrite>(
        _ targets: [UnsafeMutablePointer<Float>?], _ dy: UnsafeMutablePointer<Float>, _ context: RunContext,
        _: First.Type, _: Second.Type
    ) {
        let rows = context.batch * outputShape.height * outputShape.width
        let channels = outputShape.channels, perGroup = channels / 2
        parallelFor(rows, threads: context.threads, minimumChunk: max(1, streamingGrain / channels)) { rows in
            for row in rows {
                let gradient = dy + row * channels
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
            }
        }
    }

    /// Group `group`'s channels of the output gradient into that group's gradient.
    private func writeGradient<Write: GradientWrite>(
        of group: Int, _ targets: [UnsafeMutablePointer<Float>?], _ dy: UnsafeMutablePointer<Float>,
        _ context: RunContext, _: Write.Type
    ) {
        let rows = context.batch * outputShape.height * outputShape.width
        let channels = outputShape.channels, perGroup = channels / groups, groups = groups
        parallelFor(rows, threads: context.threads, minimumChunk: max(1, streamingGrain / channels)) { rows in
            for row in rows {
                let gradient = dy + row * channels
                let target = self.group(group, row: row) { targets[$0]! }
                for j in 0..<perGroup { Write.write(gradient[j * groups + group], to: target + j) }
            }
        }
    }
}

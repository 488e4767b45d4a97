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
public final class ChannelShuffle: Operation {
    public let inputShapes: [TensorShape]
    public let outputShape: TensorShape
    public let groups: Int

    public init(inputShape: TensorShape, groups: Int) {
        precondition(inputShape.channels % groups == 0)
        inputShapes = [inputShape]
        outputShape = inputShape
        self.groups = groups
    }

    public var kind: OperationKind { .dataMovement }

    public func forward(_ io: OperationIO, _ context: RunContext) {
        let rows = context.batch * outputShape.height * outputShape.width
        let channels = outputShape.channels, perGroup = channels / groups, groups = groups
        let x = io.inputs[0], y = io.output
        parallelFor(rows, threads: context.threads, minimumChunk: max(1, streamingGrain / channels)) { rows in
            for row in rows {
                let input = x + row * channels, output = y + row * channels
                var j = 0
                if groups == 2 {
                    // ShuffleNet-V2's case: interleave the two halves four channels at a time.
                    while j + 4 <= perGroup {
                        var pair = SIMD8<Float>()
                        pair.evenHalf = SIMD4(loadingFrom: input + j)
                        pair.oddHalf = SIMD4(loadingFrom: input + perGroup + j)
                        pair.store(to: output + 2 * j)
                        j += 4
                    }
                }
                for j in j..<perGroup {
                    for group in 0..<groups { output[j * groups + group] = input[group * perGroup + j] }
                }
            }
        }
    }

    public func backward(_ io: OperationIO, _ context: RunContext) {
        guard let dx = io.inputGradients[0] else { return }
        let rows = context.batch * outputShape.height * outputShape.width
        let channels = outputShape.channels, perGroup = channels / groups, groups = groups
        let dy = io.outputGradient
        func write<Write: GradientWrite>(_: Write.Type) {
            parallelFor(rows, threads: context.threads, minimumChunk: max(1, streamingGrain / channels)) { rows in
                for row in rows {
                    let gradient = dy + row * channels, result = dx + row * channels
                    var j = 0
                    if groups == 2 {
                        while j + 4 <= perGroup {
                            let pair = SIMD8<Float>(loadingFrom: gradient + 2 * j)
                            Write.write(pair.evenHalf, to: result + j)
                            Write.write(pair.oddHalf, to: result + perGroup + j)
                            j += 4
                        }
                    }
                    for j in j..<perGroup {
                        for group in 0..<groups { Write.write(gradient[j * groups + group], to: result + group * perGroup + j) }
                    }
                }
            }
        }
        if io.accumulatesInputGradients[0] { write(AccumulateGradient.self) } else { write(OverwriteGradient.self) }
    }
}

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
        var offset = 0
        // Indices rather than zip: see Add.backward.
        for input in 0..<inputShapes.count {
            let width = inputShapes[input].channels
            for row in 0..<rows {
                (io.output + row * channels + offset).update(from: io.inputs[input] + row * width, count: width)
            }
            offset += width
        }
    }

    public func backward(_ io: OperationIO, _ context: RunContext) {
        let rows = context.batch * outputShape.height * outputShape.width
        let channels = outputShape.channels
        var offset = 0
        for input in 0..<inputShapes.count {
            let width = inputShapes[input].channels
            defer { offset += width }
            guard let dx = io.inputGradients[input] else { continue }
            for row in 0..<rows {
                let source = io.outputGradient + row * channels + offset, target = dx + row * width
                for c in 0..<width { target[c] += source[c] }
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
        let inputChannels = inputShapes[0].channels, width = range.count
        for row in 0..<rows {
            (io.output + row * width).update(from: io.inputs[0] + row * inputChannels + range.lowerBound, count: width)
        }
    }

    public func backward(_ io: OperationIO, _ context: RunContext) {
        guard let dx = io.inputGradients[0] else { return }
        let rows = context.batch * outputShape.height * outputShape.width
        let inputChannels = inputShapes[0].channels, width = range.count
        for row in 0..<rows {
            let source = io.outputGradient + row * width, target = dx + row * inputChannels + range.lowerBound
            for c in 0..<width { target[c] += source[c] }
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
        let channels = outputShape.channels, perGroup = channels / groups
        for row in 0..<rows {
            let input = io.inputs[0] + row * channels, output = io.output + row * channels
            for group in 0..<groups {
                for j in 0..<perGroup { output[j * groups + group] = input[group * perGroup + j] }
            }
        }
    }

    public func backward(_ io: OperationIO, _ context: RunContext) {
        guard let dx = io.inputGradients[0] else { return }
        let rows = context.batch * outputShape.height * outputShape.width
        let channels = outputShape.channels, perGroup = channels / groups
        for row in 0..<rows {
            let gradient = io.outputGradient + row * channels, result = dx + row * channels
            for group in 0..<groups {
                for j in 0..<perGroup { result[group * perGroup + j] += gradient[j * groups + group] }
            }
        }
    }
}

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
        fatalError("Concatenate.forward: not implemented yet")
    }

    public func backward(_ io: OperationIO, _ context: RunContext) {
        fatalError("Concatenate.backward: not implemented yet")
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
        fatalError("ChannelSlice.forward: not implemented yet")
    }

    public func backward(_ io: OperationIO, _ context: RunContext) {
        fatalError("ChannelSlice.backward: not implemented yet")
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
        fatalError("ChannelShuffle.forward: not implemented yet")
    }

    public func backward(_ io: OperationIO, _ context: RunContext) {
        fatalError("ChannelShuffle.backward: not implemented yet")
    }
}

/// Inverted dropout: in training, zeroes each element with probability p and scales the rest
/// by 1/(1-p); identity in inference. The mask of sample i is drawn from
/// key(seed, step, firstGlobalSample + i), so it does not depend on how ranks split the batch.
public final class Dropout: Operation {
    public let inputShapes: [TensorShape]
    public let outputShape: TensorShape
    public let probability: Float

    public init(inputShape: TensorShape, probability: Float) {
        precondition((0..<1).contains(probability), "dropout probability must be in [0, 1)")
        inputShapes = [inputShape]
        outputShape = inputShape
        self.probability = probability
    }

    public var kind: OperationKind { .dropout }

    public func savedCount(batch: Int) -> Int { batch * outputShape.elementCount }

    public func forward(_ io: OperationIO, _ context: RunContext) {
        fatalError("Dropout.forward: not implemented yet")
    }

    public func backward(_ io: OperationIO, _ context: RunContext) {
        fatalError("Dropout.backward: not implemented yet")
    }
}

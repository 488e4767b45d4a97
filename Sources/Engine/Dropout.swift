import Support

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

    public func canOverwriteInputGradient(_ input: Int) -> Bool { true }

    public func savedCount(batch: Int) -> Int { batch * outputShape.elementCount }

    public func forward(_ io: OperationIO, _ context: RunContext) {
        let count = outputShape.elementCount
        let x = io.inputs[0], y = io.output    // (batch, H, W, C) each
        guard context.training else {
            y.update(from: x, count: context.batch * count)
            return
        }
        let mask = io.saved                    // (batch, H, W, C): 0 or 1/(1-p)
        let probability = probability, keptScale = 1 / (1 - probability)
        parallelFor(context.batch, threads: context.threads, minimumChunk: max(1, streamingGrain / count)) { samples in
            for sample in samples {
                var generator = SplitMix64(seed: SplitMix64.key(
                    context.seed, context.step, UInt64(context.firstGlobalSample + sample)))
                let offset = sample * count
                for i in offset..<offset + count {
                    mask[i] = generator.nextUniform() < probability ? 0 : keptScale
                    y[i] = x[i] * mask[i]
                }
            }
        }
    }

    public func backward(_ io: OperationIO, _ context: RunContext) {
        guard let dx = io.inputGradients[0] else { return }
        let dy = io.outputGradient, mask = io.saved
        let training = context.training
        func write<Write: GradientWrite>(_: Write.Type) {
            parallelFor(context.batch * outputShape.elementCount, threads: context.threads, minimumChunk: streamingGrain) { range in
                if training {
                    for i in range { Write.write(dy[i] * mask[i], to: dx + i) }
                } else {
                    Write.write(range.count, from: dy + range.lowerBound, to: dx + range.lowerBound)
                }
            }
        }
        io.overwritesInputGradients[0] ? write(OverwriteGradient.self) : write(AccumulateGradient.self)
    }
}

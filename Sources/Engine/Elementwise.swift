import Support

/// Elementwise sum of two tensors of the same shape (residual connections).
public final class Add: Operation {
    public let inputShapes: [TensorShape]
    public let outputShape: TensorShape

    public init(shape: TensorShape) {
        inputShapes = [shape, shape]
        outputShape = shape
    }

    public var kind: OperationKind { .elementwise }

    public func canOverwriteInputGradient(_ input: Int) -> Bool { true }

    public func forward(_ io: OperationIO, _ context: RunContext) {
        let a = io.inputs[0], b = io.inputs[1], y = io.output   // (batch, H, W, C) each
        parallelFor(context.batch * outputShape.elementCount, threads: context.threads, minimumChunk: streamingGrain) { range in
            for i in range { y[i] = a[i] + b[i] }
        }
    }

    public func backward(_ io: OperationIO, _ context: RunContext) {
        let dy = io.outputGradient, total = context.batch * outputShape.elementCount
        func write<Write: GradientWrite>(_ dx: UnsafeMutablePointer<Float>, _: Write.Type) {
            parallelFor(total, threads: context.threads, minimumChunk: streamingGrain) { range in
                Write.write(range.count, from: dy + range.lowerBound, to: dx + range.lowerBound)
            }
        }
        // Both gradients may be the same buffer (x + x): input 0 is written in full before
        // input 1, so the executor's plan (the first slot writes first) holds.
        // Indices, not `for dx in io.inputGradients`: an unspecialised array iterator
        // allocates in debug builds, and the training step must not.
        for input in 0..<2 {
            guard let dx = io.inputGradients[input] else { continue }
            io.overwritesInputGradients[input] ? write(dx, OverwriteGradient.self) : write(dx, AccumulateGradient.self)
        }
    }
}

/// x (H, W, C) times a per-sample, per-channel scale s (1, 1, C): squeeze-and-excitation.
/// Inputs: [x, s].
public final class ChannelScale: Operation {
    public let inputShapes: [TensorShape]
    public let outputShape: TensorShape

    public init(inputShape: TensorShape) {
        inputShapes = [inputShape, .vector(inputShape.channels)]
        outputShape = inputShape
    }

    public var kind: OperationKind { .elementwise }

    public func multiplyAccumulates(batch: Int) -> Int { batch * outputShape.elementCount }

    /// dx is written element by element; ds is a sum over positions, which only adds.
    public func canOverwriteInputGradient(_ input: Int) -> Bool { input == 0 }

    public func forward(_ io: OperationIO, _ context: RunContext) {
        let x = io.inputs[0], s = io.inputs[1], y = io.output   // x, y (batch, H, W, C); s (batch, C)
        let channels = outputShape.channels, positions = outputShape.height * outputShape.width
        parallelFor(context.batch * positions, threads: context.threads, minimumChunk: max(1, streamingGrain / channels)) { rows in
            for row in rows {
                let scale = s + row / positions * channels
                let input = x + row * channels, output = y + row * channels
                for c in 0..<channels { output[c] = input[c] * scale[c] }
            }
        }
    }

    /// dx = dy·s; ds[n, c] = Σ over H, W of dy·x (the gradient that flows into the SE gate).
    public func backward(_ io: OperationIO, _ context: RunContext) {
        let x = io.inputs[0], s = io.inputs[1], dy = io.outputGradient
        let channels = outputShape.channels, positions = outputShape.height * outputShape.width
        func writeInputGradient<Write: GradientWrite>(_ dx: UnsafeMutablePointer<Float>, _: Write.Type) {
            parallelFor(context.batch * positions, threads: context.threads, minimumChunk: max(1, streamingGrain / channels)) { rows in
                for row in rows {
                    let scale = s + row / positions * channels
                    let gradient = dy + row * channels, result = dx + row * channels
                    for c in 0..<channels { Write.write(gradient[c] * scale[c], to: result + c) }
                }
            }
        }
        if let dx = io.inputGradients[0] {
            io.overwritesInputGradients[0]
                ? writeInputGradient(dx, OverwriteGradient.self) : writeInputGradient(dx, AccumulateGradient.self)
        }
        if let ds = io.inputGradients[1] {
            // One sample per task: each writes only its own row of ds.
            parallelFor(context.batch, threads: context.threads, minimumChunk: max(1, streamingGrain / outputShape.elementCount)) { samples in
                for sample in samples {
                    let result = ds + sample * channels
                    for position in 0..<positions {
                        let row = (sample * positions + position) * channels
                        for c in 0..<channels { result[c] += dy[row + c] * x[row + c] }
                    }
                }
            }
        }
    }
}

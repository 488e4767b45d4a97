import Support

/// What max and average pooling share: a k x k window moved by `stride` over their one input,
/// with `padding` cells on every side, and the output shape that gives.
public struct PoolingWindow: Sendable {
    /// The one input, as `Operation.inputShapes` lists it.
    public let inputShapes: [TensorShape]
    public let outputShape: TensorShape
    public let kernelSize: Int
    public let stride: Int
    public let padding: Int
    /// Where the window lands on each axis of the input plane.
    let plane: PlaneWindow

    /// - Parameters:
    ///   - inputShape: the input, (H, W, C); the output has the same channels.
    ///   - kernelSize: the window's side k.
    ///   - stride: how far the window moves between outputs.
    ///   - padding: cells added on every side, at most k / 2.
    public init(inputShape: TensorShape, kernelSize: Int, stride: Int, padding: Int) {
        // PyTorch's bound: with more padding a window could lie wholly on padding.
        precondition(padding <= kernelSize / 2, "pooling padding \(padding) exceeds half the kernel \(kernelSize)")
        inputShapes = [inputShape]
        outputShape = inputShape.slidingWindowOutput(
            kernelSize: kernelSize, stride: stride, padding: padding, channels: inputShape.channels)
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        plane = PlaneWindow(input: inputShape, kernel: kernelSize, stride: stride, padding: padding)
    }
}

/// Max pooling over k x k windows (padding never wins: padded cells count as -inf).
public final class MaxPool: Operation {
    public let window: PoolingWindow
    public var inputShapes: [TensorShape] { window.inputShapes }
    public var outputShape: TensorShape { window.outputShape }

    /// See `PoolingWindow.init` for the parameters.
    public init(inputShape: TensorShape, kernelSize: Int, stride: Int, padding: Int = 0) {
        window = PoolingWindow(inputShape: inputShape, kernelSize: kernelSize, stride: stride, padding: padding)
    }

    public var kind: OperationKind { .pooling }

    /// The input pixel (y·W + x within its sample) that won, per output element.
    public func savedCount(batch: Int) -> Int { batch * outputShape.elementCount }

    public func forward(_ io: OperationIO, _ context: RunContext) {
        let channels = outputShape.channels
        let plane = window.plane
        let input = io.inputs[0]
        forEachOutputRow(of: self, context) { sample, outputY in
            let rows = plane.vertical.validOffsets(outputY)
            let top = plane.vertical.start(outputY)
            let sampleInput = input + sample * inputShapes[0].elementCount
            for outputX in 0..<outputShape.width {
                let offset = ((sample * outputShape.height + outputY) * outputShape.width + outputX) * channels
                let columns = plane.horizontal.validOffsets(outputX)
                let left = plane.horizontal.start(outputX)
                // Winning pixels are stored as floats: exact while H·W < 2^24. Starting from the
                // first cell, a window of -inf or NaN still names a pixel of its own.
                let first = Float(plane.firstPixel(outputY: outputY, outputX: outputX))
                func block<Lanes: MaximumLanes>(_: Lanes.Type, _ channel: Int) {
                    var maximum = Lanes(repeating: -.infinity)
                    var winner = Lanes(repeating: first)
                    for dy in rows {
                        let rowPixel = (top + dy) * plane.width + left
                        for dx in columns {
                            maximum.keepMaximum(Lanes(loadingFrom: sampleInput + (rowPixel + dx) * channels + channel),
                                                index: Float(rowPixel + dx), winner: &winner)
                        }
                    }
                    maximum.store(to: io.output + offset + channel)
                    winner.store(to: io.saved + offset + channel)
                }
                forEachChannelBlock(channels, vector: { block(SIMD8<Float>.self, $0) }, scalar: { block(Float.self, $0) })
            }
        }
    }

    public func backward(_ io: OperationIO, _ context: RunContext) {
        guard let inputGradient = io.inputGradients[0] else { return }
        let channels = outputShape.channels
        let planePixels = inputShapes[0].height * inputShapes[0].width
        let outputPixels = outputShape.height * outputShape.width
        // Windows overlap and some pixels win none: the winners' gradients are added.
        forEachSample(of: self, context) { sample in
            for outputPixel in sample * outputPixels..<(sample + 1) * outputPixels {
                let gradient = io.outputGradient + outputPixel * channels
                let winner = io.saved + outputPixel * channels
                for channel in 0..<channels {
                    inputGradient[(sample * planePixels + Int(winner[channel])) * channels + channel] += gradient[channel]
                }
            }
        }
    }
}

/// Average pooling over k x k windows; padded cells count in the divisor
/// (PyTorch's default, count_include_pad = true).
public final class AveragePool: Operation {
    public let window: PoolingWindow
    public var inputShapes: [TensorShape] { window.inputShapes }
    public var outputShape: TensorShape { window.outputShape }

    /// See `PoolingWindow.init` for the parameters.
    public init(inputShape: TensorShape, kernelSize: Int, stride: Int, padding: Int = 0) {
        window = PoolingWindow(inputShape: inputShape, kernelSize: kernelSize, stride: stride, padding: padding)
    }

    public var kind: OperationKind { .pooling }

    public func forward(_ io: OperationIO, _ context: RunContext) {
        let channels = outputShape.channels
        let plane = window.plane
        let scale = 1 / Float(window.kernelSize * window.kernelSize)
        let input = io.inputs[0]
        forEachOutputRow(of: self, context) { sample, outputY in
            let rows = plane.vertical.validOffsets(outputY)
            let top = plane.vertical.start(outputY)
            let sampleInput = input + sample * inputShapes[0].elementCount
            for outputX in 0..<outputShape.width {
                let result = io.output + ((sample * outputShape.height + outputY) * outputShape.width + outputX) * channels
                let columns = plane.horizontal.validOffsets(outputX)
                let left = plane.horizontal.start(outputX)
                func block<Lanes: ChannelLanes>(_: Lanes.Type, _ channel: Int) {
                    var sum = Lanes(repeating: 0)
                    for dy in rows {
                        let row = sampleInput + ((top + dy) * plane.width + left) * channels + channel
                        for dx in columns { sum += Lanes(loadingFrom: row + dx * channels) }
                    }
                    (sum * Lanes(repeating: scale)).store(to: result + channel)
                }
                forEachChannelBlock(channels, vector: { block(SIMD8<Float>.self, $0) }, scalar: { block(Float.self, $0) })
            }
        }
    }

    public func backward(_ io: OperationIO, _ context: RunContext) {
        guard let inputGradient = io.inputGradients[0] else { return }
        let channels = outputShape.channels
        let plane = window.plane
        let scale = 1 / Float(window.kernelSize * window.kernelSize)
        // Windows may overlap or leave pixels out: each window's share is added.
        forEachSample(of: self, context) { sample in
            let sampleGradient = inputGradient + sample * inputShapes[0].elementCount
            for outputY in 0..<outputShape.height {
                let rows = plane.vertical.validOffsets(outputY)
                let top = plane.vertical.start(outputY)
                for outputX in 0..<outputShape.width {
                    let gradient = io.outputGradient
                        + ((sample * outputShape.height + outputY) * outputShape.width + outputX) * channels
                    let columns = plane.horizontal.validOffsets(outputX)
                    let left = plane.horizontal.start(outputX)
                    func block<Lanes: ChannelLanes>(_: Lanes.Type, _ channel: Int) {
                        let share = Lanes(loadingFrom: gradient + channel) * Lanes(repeating: scale)
                        for dy in rows {
                            let row = sampleGradient + ((top + dy) * plane.width + left) * channels + channel
                            for dx in columns { Lanes.add(share, to: row + dx * channels) }
                        }
                    }
                    forEachChannelBlock(channels, vector: { block(SIMD8<Float>.self, $0) }, scalar: { block(Float.self, $0) })
                }
            }
        }
    }
}

public final class GlobalAveragePool: Operation {
    public let inputShapes: [TensorShape]
    public let outputShape: TensorShape

    public init(inputShape: TensorShape) {
        inputShapes = [inputShape]
        outputShape = .vector(inputShape.channels)
    }

    public var kind: OperationKind { .pooling }

    public func canOverwriteInputGradient(_ input: Int) -> Bool { true }

    public func forward(_ io: OperationIO, _ context: RunContext) {
        let channels = outputShape.channels
        let pixels = inputShapes[0].height * inputShapes[0].width
        let scale = 1 / Float(pixels)
        forEachSample(of: self, context) { sample in
            let result = io.output + sample * channels
            result.update(repeating: 0, count: channels)
            addColumnSums(of: io.inputs[0] + sample * pixels * channels, rows: pixels, columns: channels, to: result)
            for channel in 0..<channels { result[channel] *= scale }
        }
    }

    public func backward(_ io: OperationIO, _ context: RunContext) {
        guard let inputGradient = io.inputGradients[0] else { return }
        let channels = outputShape.channels
        let pixels = inputShapes[0].height * inputShapes[0].width
        let scale = 1 / Float(pixels)
        func write<Write: GradientWrite>(_: Write.Type) {
            forEachSample(of: self, context) { sample in
                let gradient = io.outputGradient + sample * channels
                for pixel in sample * pixels..<(sample + 1) * pixels {
                    let target = inputGradient + pixel * channels
                    for channel in 0..<channels { Write.write(scale * gradient[channel], to: target + channel) }
                }
            }
        }
        io.overwritesInputGradients[0] ? write(OverwriteGradient.self) : write(AccumulateGradient.self)
    }
}

/// Runs `body(sample, outputY)` for every output row of the batch, threads splitting the rows:
/// forward passes write disjoint rows.
private func forEachOutputRow(of operation: some Operation, _ context: RunContext, _ body: (Int, Int) -> Void) {
    let height = operation.outputShape.height
    let rowElements = operation.inputShapes[0].elementCount / max(1, operation.outputShape.height)
    parallelFor(context.batch * height, threads: context.threads,
                minimumChunk: max(1, streamingGrain / max(1, rowElements))) { rows in
        for row in rows { body(row / height, row % height) }
    }
}

/// Runs `body(sample)` for every sample, threads splitting the samples: backward passes
/// scatter into overlapping windows, which stay within one sample.
private func forEachSample(of operation: some Operation, _ context: RunContext, _ body: (Int) -> Void) {
    parallelFor(context.batch, threads: context.threads,
                minimumChunk: max(1, streamingGrain / max(1, operation.inputShapes[0].elementCount))) { samples in
        for sample in samples { body(sample) }
    }
}

/// Depthwise k x k convolution (groups = channels, one filter per channel), NHWC.
///
/// Weight layout [channels, kh, kw, 1], the same as a grouped `Convolution` with
/// groups = channels, so checkpoints do not depend on which kernel ran. The loops run over
/// channels innermost, where NHWC makes them contiguous and vectorisable.
public final class DepthwiseConvolution: Operation {
    public let inputShapes: [TensorShape]
    public let outputShape: TensorShape
    public let kernelSize: Int
    public let stride: Int
    public let padding: Int
    public let hasBias: Bool
    public let parameterSpecs: [ParameterSpec]

    public init(
        inputShape: TensorShape, kernelSize: Int, stride: Int = 1, padding: Int = 0,
        bias: Bool = false, weightInitializer: Initializer? = nil, biasInitializer: Initializer = .zeros
    ) {
        let channels = inputShape.channels
        inputShapes = [inputShape]
        outputShape = TensorShape(
            height: convolutionOutputSize(inputShape.height, kernel: kernelSize, stride: stride, padding: padding),
            width: convolutionOutputSize(inputShape.width, kernel: kernelSize, stride: stride, padding: padding),
            channels: channels)
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.hasBias = bias
        var specs = [ParameterSpec(
            "weight", shape: [channels, kernelSize, kernelSize, 1],
            initializer: weightInitializer ?? .kaimingNormalFanOut(fanOut: channels * kernelSize * kernelSize))]
        if bias { specs.append(ParameterSpec("bias", shape: [channels], initializer: biasInitializer)) }
        parameterSpecs = specs
    }

    public var kind: OperationKind { .depthwiseConvolution }

    public func multiplyAccumulates(batch: Int) -> Int {
        batch * outputShape.elementCount * kernelSize * kernelSize
    }

    /// The weight transposed to [kh, kw, C], then one [kh·kw (+1 with bias), C] slot of
    /// parameter gradients per sample.
    public func workspaceCount(batch: Int) -> Int {
        tapCount * channels + batch * gradientSlotCount
    }

    public func forward(_ io: OperationIO, _ context: RunContext) {
        let input = io.inputs[0]            // (batch, H, W, C)
        let output = io.output              // (batch, Ho, Wo, C)
        let weight = io.workspace           // (kh, kw, C)
        transposeWeight(io.parameters, into: weight)
        let bias: UnsafePointer<Float>? = hasBias ? UnsafePointer(io.parameters + tapCount * channels) : nil
        let rows = context.batch * outputShape.height
        let rowWork = outputShape.width * channels * tapCount
        parallelFor(rows, threads: context.threads, minimumChunk: max(1, Self.minimumWorkPerThread / rowWork)) { rows in
            for row in rows {
                forwardRow(sample: row / outputShape.height, outputY: row % outputShape.height,
                           input: input, weight: weight, bias: bias, output: output)
            }
        }
    }

    public func backward(_ io: OperationIO, _ context: RunContext) {
        guard context.batch > 0 else { return }
        // The rows scatter into overlapping windows with +=, so overwriting starts from zero.
        if let inputGradient = io.inputGradients[0], !io.accumulatesInputGradients[0] {
            zeroInputGradient(inputGradient, samples: 0..<context.batch)
        }
        let weight = io.workspace
        transposeWeight(io.parameters, into: weight)
        let slots = weight + tapCount * channels
        let sampleWork = multiplyAccumulates(batch: 1)
        // Each sample adds its parameter gradient into a slot of its own, and the slots are
        // summed in sample order: the result does not depend on the thread count. Threads take
        // whole samples, whose input gradients are disjoint.
        parallelFor(context.batch, threads: context.threads,
                    minimumChunk: max(1, Self.minimumWorkPerThread / max(1, sampleWork))) { samples in
            for sample in samples {
                let slot = slots + sample * gradientSlotCount
                slot.update(repeating: 0, count: gradientSlotCount)
                for outputY in 0..<outputShape.height {
                    backwardRow(sample: sample, outputY: outputY, io: io, weight: weight, slot: slot)
                }
            }
        }
        for sample in 1..<context.batch {
            let slot = slots + sample * gradientSlotCount
            for index in 0..<gradientSlotCount { slots[index] += slot[index] }
        }
        // The slot is [kh·kw, C]; the parameters are [C, kh·kw] then the bias [C].
        for tap in 0..<tapCount {
            for channel in 0..<channels {
                io.parameterGradients[channel * tapCount + tap] += slots[tap * channels + channel]
            }
        }
        if hasBias {
            let biasGradient = io.parameterGradients + tapCount * channels
            for channel in 0..<channels { biasGradient[channel] += slots[tapCount * channels + channel] }
        }
    }

    // MARK: - Kernels

    private var channels: Int { outputShape.channels }
    private var tapCount: Int { kernelSize * kernelSize }
    private var gradientSlotCount: Int { (tapCount + (hasBias ? 1 : 0)) * channels }
    private var window: PlaneWindow {
        PlaneWindow(input: inputShapes[0], kernel: kernelSize, stride: stride, padding: padding)
    }

    /// Below this many multiply-accumulates a thread costs more to start than it saves.
    private static let minimumWorkPerThread = 1 << 15

    /// [C, kh, kw] to [kh, kw, C], so each window cell's weights are contiguous like the input's channels.
    private func transposeWeight(_ weight: UnsafePointer<Float>, into transposed: UnsafeMutablePointer<Float>) {
        for channel in 0..<channels {
            for tap in 0..<tapCount {
                transposed[tap * channels + channel] = weight[channel * tapCount + tap]
            }
        }
    }

    /// Output columns whose window lies wholly inside the input horizontally.
    private var interiorColumns: Range<Int> {
        let first = (padding + stride - 1) / stride
        let end = (inputShapes[0].width + padding - kernelSize) / stride + 1
        return first..<max(first, min(outputShape.width, end))
    }

    /// Output pixels computed together where no window column needs a bounds check: each
    /// weight load then serves four products, and four independent sums hide the add latency.
    private static let pixelGroup = 4

    private func forwardRow(
        sample: Int, outputY: Int, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>
    ) {
        let window = window
        let channels = channels
        let kernelSize = kernelSize
        let pixelStep = stride * channels
        let samplePixels = sample * inputShapes[0].height * inputShapes[0].width
        let firstOutput = (sample * outputShape.height + outputY) * outputShape.width
        let windowRows = window.vertical.validOffsets(outputY)
        let top = window.vertical.start(outputY)
        let interior = interiorColumns
        var outputX = 0
        while outputX < outputShape.width {
            let result = output + (firstOutput + outputX) * channels
            if interior.contains(outputX) && outputX + Self.pixelGroup <= interior.upperBound {
                let left = window.horizontal.start(outputX)
                func block<Lanes: ChannelLanes>(_: Lanes.Type, _ channel: Int) {
                    let initial = bias.map { Lanes(loadingFrom: $0 + channel) } ?? Lanes(repeating: 0)
                    var sum0 = initial, sum1 = initial, sum2 = initial, sum3 = initial
                    for dy in windowRows {
                        let row = input + (samplePixels + (top + dy) * window.width + left) * channels + channel
                        let rowWeight = weight + dy * kernelSize * channels + channel
                        for dx in 0..<kernelSize {
                            let tapWeight = Lanes(loadingFrom: rowWeight + dx * channels)
                            let pixel = row + dx * channels
                            sum0 += Lanes(loadingFrom: pixel) * tapWeight
                            sum1 += Lanes(loadingFrom: pixel + pixelStep) * tapWeight
                            sum2 += Lanes(loadingFrom: pixel + 2 * pixelStep) * tapWeight
                            sum3 += Lanes(loadingFrom: pixel + 3 * pixelStep) * tapWeight
                        }
                    }
                    sum0.store(to: result + channel)
                    sum1.store(to: result + channels + channel)
                    sum2.store(to: result + 2 * channels + channel)
                    sum3.store(to: result + 3 * channels + channel)
                }
                forEachChannelBlock(channels, vector: { block(SIMD8<Float>.self, $0) }, scalar: { block(Float.self, $0) })
                outputX += Self.pixelGroup
            } else {
                // A constant copy: a local function capturing the loop's `var` would box it on the heap.
                let column = outputX
                // The sum stays in registers across the window; channel blocks are independent.
                func block<Lanes: ChannelLanes>(_: Lanes.Type, _ channel: Int) {
                    var sum = bias.map { Lanes(loadingFrom: $0 + channel) } ?? Lanes(repeating: 0)
                    window.forEachCell(outputY: outputY, outputX: column) { tap, pixel in
                        sum += Lanes(loadingFrom: input + (samplePixels + pixel) * channels + channel)
                            * Lanes(loadingFrom: weight + tap * channels + channel)
                    }
                    sum.store(to: result + channel)
                }
                forEachChannelBlock(channels, vector: { block(SIMD8<Float>.self, $0) }, scalar: { block(Float.self, $0) })
                outputX += 1
            }
        }
    }

    /// Adds one output row's share of the input gradient (if wanted) and of the parameter
    /// gradients (into `slot`, [kh, kw, C] then the bias).
    private func backwardRow(
        sample: Int, outputY: Int, io: OperationIO, weight: UnsafePointer<Float>, slot: UnsafeMutablePointer<Float>
    ) {
        if outputShape.width >= Self.tapRunWidth {
            backwardRowByTap(sample: sample, outputY: outputY, io: io, weight: weight, slot: slot)
        } else {
            backwardRowByPixel(sample: sample, outputY: outputY, io: io, weight: weight, slot: slot)
        }
    }

    /// Output rows at least this wide go tap by tap in backward; narrower ones pixel by pixel
    /// (measured on MobileNet-V3 and EfficientNet shapes: 32- and 64-wide rows run 1.3-1.6x
    /// faster by tap, 8- and 4-wide ones 1.1-1.3x slower).
    private static let tapRunWidth = 16

    /// `backwardRow` tap by tap: the row's output gradients meet the input cells under one
    /// tap at a time, their products summing into the tap's weight gradient in registers,
    /// and each input gradient cell takes gradient x weight. The valid output columns are
    /// found once per tap, so the inner loop has no bounds checks, and it walks pointers,
    /// whose steps are not overflow-checked as index products are.
    private func backwardRowByTap(
        sample: Int, outputY: Int, io: OperationIO, weight: UnsafePointer<Float>, slot: UnsafeMutablePointer<Float>
    ) {
        let channels = channels, kernelSize = kernelSize, padding = padding
        let outputWidth = outputShape.width, inputWidth = inputShapes[0].width
        let pixelStep = stride * channels
        let horizontal = window.horizontal
        let input = io.inputs[0]
        let inputGradient = io.inputGradients[0]
        let biasSlot: UnsafeMutablePointer<Float>? = hasBias ? slot + tapCount * channels : nil
        let windowRows = window.vertical.validOffsets(outputY)
        // Input offset of (the row under the window's first cell, column 0) of this sample.
        let rowOrigin = (sample * inputShapes[0].height + window.vertical.start(outputY)) * inputWidth * channels
        let gradientRow = io.outputGradient + (sample * outputShape.height + outputY) * outputWidth * channels
        func block<Lanes: ChannelLanes>(_: Lanes.Type, _ channel: Int) {
            let outputGradient = gradientRow + channel
            if let biasSlot {
                var sum = Lanes(repeating: 0)
                for outputX in 0..<outputWidth { sum += Lanes(loadingFrom: outputGradient + outputX * channels) }
                Lanes.add(sum, to: biasSlot + channel)
            }
            for dy in windowRows {
                for dx in 0..<kernelSize {
                    let columns = horizontal.outputsCovering(offset: dx, outputSize: outputWidth)
                    guard !columns.isEmpty else { continue }
                    let tap = dy * kernelSize + dx
                    // The output gradient and the input cell under this tap at the first column.
                    var gradient = outputGradient + columns.lowerBound * channels
                    let end = gradient + columns.count * channels
                    let cell = rowOrigin + (dy * inputWidth + dx - padding + columns.lowerBound * stride) * channels + channel
                    var pixel = input + cell
                    // Two sums, alternating columns, so consecutive adds do not wait on each other.
                    var sums = (Lanes(repeating: 0), Lanes(repeating: 0))
                    if let inputGradient {
                        let tapWeight = Lanes(loadingFrom: weight + tap * channels + channel)
                        var target = inputGradient + cell
                        while gradient < end {
                            let value = Lanes(loadingFrom: gradient)
                            sums.0 += value * Lanes(loadingFrom: pixel)
                            Lanes.add(value * tapWeight, to: target)
                            gradient += channels
                            pixel += pixelStep
                            target += pixelStep
                            swap(&sums.0, &sums.1)
                        }
                    } else {
                        while gradient < end {
                            sums.0 += Lanes(loadingFrom: gradient) * Lanes(loadingFrom: pixel)
                            gradient += channels
                            pixel += pixelStep
                            swap(&sums.0, &sums.1)
                        }
                    }
                    Lanes.add(sums.0 + sums.1, to: slot + tap * channels + channel)
                }
            }
        }
        forEachChannelBlock(channels, vector: { block(SIMD8<Float>.self, $0) }, scalar: { block(Float.self, $0) })
    }

    /// `backwardRow` pixel by pixel: each output gradient meets its whole window at once.
    /// Rows too narrow for a tap's run of columns to pay for setting it up go this way.
    private func backwardRowByPixel(
        sample: Int, outputY: Int, io: OperationIO, weight: UnsafePointer<Float>, slot: UnsafeMutablePointer<Float>
    ) {
        let window = window
        let channels = channels
        let input = io.inputs[0]
        let inputGradient = io.inputGradients[0]
        let biasSlot: UnsafeMutablePointer<Float>? = hasBias ? slot + tapCount * channels : nil
        let samplePixels = sample * inputShapes[0].height * inputShapes[0].width
        let firstOutput = (sample * outputShape.height + outputY) * outputShape.width
        for outputX in 0..<outputShape.width {
            let gradient = io.outputGradient + (firstOutput + outputX) * channels
            func block<Lanes: ChannelLanes>(_: Lanes.Type, _ channel: Int) {
                let outputGradient = Lanes(loadingFrom: gradient + channel)
                if let biasSlot { Lanes.add(outputGradient, to: biasSlot + channel) }
                window.forEachCell(outputY: outputY, outputX: outputX) { tap, pixel in
                    let offset = (samplePixels + pixel) * channels + channel
                    Lanes.add(outputGradient * Lanes(loadingFrom: input + offset), to: slot + tap * channels + channel)
                    if let inputGradient {
                        Lanes.add(outputGradient * Lanes(loadingFrom: weight + tap * channels + channel),
                                  to: inputGradient + offset)
                    }
                }
            }
            forEachChannelBlock(channels, vector: { block(SIMD8<Float>.self, $0) }, scalar: { block(Float.self, $0) })
        }
    }
}

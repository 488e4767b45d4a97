/// Output size of a convolution or pooling window along one axis (PyTorch's floor rule).
@inlinable
public func convolutionOutputSize(_ input: Int, kernel: Int, stride: Int, padding: Int) -> Int {
    (input + 2 * padding - kernel) / stride + 1
}

/// k x k convolution with stride, zero padding and groups, over NHWC tensors.
///
/// Weight layout [out, kh, kw, in/groups] (OHWI, as MLX): one row per output channel, so the
/// forward pass is im2col (N·Ho·Wo x kh·kw·in) times the transposed weight, and a 1x1
/// convolution with stride 1 is a single SGEMM over the whole batch with no im2col.
public final class Convolution: Operation {
    public let inputShapes: [TensorShape]
    public let outputShape: TensorShape
    public let kernelSize: Int
    public let stride: Int
    public let padding: Int
    public let groups: Int
    public let hasBias: Bool
    public let parameterSpecs: [ParameterSpec]

    public init(
        inputShape: TensorShape, outputChannels: Int, kernelSize: Int, stride: Int = 1,
        padding: Int = 0, groups: Int = 1, bias: Bool = false,
        weightInitializer: Initializer? = nil, biasInitializer: Initializer = .zeros
    ) {
        precondition(inputShape.channels % groups == 0 && outputChannels % groups == 0,
                     "channels \(inputShape.channels)->\(outputChannels) not divisible by \(groups) groups")
        inputShapes = [inputShape]
        outputShape = TensorShape(
            height: convolutionOutputSize(inputShape.height, kernel: kernelSize, stride: stride, padding: padding),
            width: convolutionOutputSize(inputShape.width, kernel: kernelSize, stride: stride, padding: padding),
            channels: outputChannels)
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.groups = groups
        self.hasBias = bias
        let inPerGroup = inputShape.channels / groups
        var specs = [ParameterSpec(
            "weight", shape: [outputChannels, kernelSize, kernelSize, inPerGroup],
            initializer: weightInitializer
                ?? .kaimingNormalFanOut(fanOut: outputChannels * kernelSize * kernelSize))]
        if bias { specs.append(ParameterSpec("bias", shape: [outputChannels], initializer: biasInitializer)) }
        parameterSpecs = specs
    }

    public var kind: OperationKind { kernelSize == 1 ? .convolution1x1 : .convolutionKxK }

    public func multiplyAccumulates(batch: Int) -> Int {
        batch * outputShape.height * outputShape.width * outputShape.channels
            * kernelSize * kernelSize * (inputShapes[0].channels / groups)
    }

    /// The im2col buffer for one chunk of samples; a pointwise convolution reads its input as is.
    public func workspaceCount(batch: Int) -> Int {
        isPointwise ? 0 : samplesPerChunk(batch) * patchRowsPerSample * patchRowWidth
    }

    public func forward(_ io: OperationIO, _ context: RunContext) {
        let input = io.inputs[0]            // (batch, H, W, Cin)
        let output = io.output              // (batch, Ho, Wo, Cout)
        let outputChannels = outputShape.channels
        if hasBias {
            fillRows(output, rows: context.batch * patchRowsPerSample, columns: outputChannels,
                     with: io.parameters + weightCount)
        }
        let beta: Float = hasBias ? 1 : 0
        if isPointwise {
            multiplyPatches(input, rows: context.batch * patchRowsPerSample, by: io.parameters,
                            into: output, beta: beta)
            return
        }
        let patches = io.workspace          // (chunk·Ho·Wo, groups·kh·kw·Cin/groups)
        forEachChunk(context.batch) { samples in
            gatherPatches(from: input, samples: samples, into: patches, threads: context.threads)
            multiplyPatches(patches, rows: samples.count * patchRowsPerSample, by: io.parameters,
                            into: output + samples.lowerBound * outputShape.elementCount, beta: beta)
        }
    }

    public func backward(_ io: OperationIO, _ context: RunContext) {
        let input = io.inputs[0]
        let outputGradient = io.outputGradient
        let inputGradient = io.inputGradients[0]
        let weightGradient = io.parameterGradients
        if hasBias {
            addColumnSums(of: outputGradient, rows: context.batch * patchRowsPerSample,
                          columns: outputShape.channels, to: io.parameterGradients + weightCount)
        }
        if isPointwise {
            let rows = context.batch * patchRowsPerSample
            addWeightGradient(patches: input, rows: rows, outputGradient: outputGradient, into: weightGradient)
            if let inputGradient {
                // The input is its own patch matrix, so beta = 1 adds straight into its gradient.
                patchGradient(rows: rows, outputGradient: outputGradient, weight: io.parameters,
                              into: inputGradient, beta: 1)
            }
            return
        }
        let patches = io.workspace
        forEachChunk(context.batch) { samples in
            let rows = samples.count * patchRowsPerSample
            let chunkOutputGradient = outputGradient + samples.lowerBound * outputShape.elementCount
            gatherPatches(from: input, samples: samples, into: patches, threads: context.threads)
            addWeightGradient(patches: patches, rows: rows, outputGradient: chunkOutputGradient, into: weightGradient)
            if let inputGradient {
                // The patches are spent once the weight gradient has them: reuse their buffer.
                patchGradient(rows: rows, outputGradient: chunkOutputGradient, weight: io.parameters,
                              into: patches, beta: 0)
                scatterPatches(patches, samples: samples, into: inputGradient, threads: context.threads)
            }
        }
    }

    // MARK: - Patch matrix
    //
    // Row r of the patch matrix is the receptive field of output pixel r, laid out
    // [groups, kh, kw, Cin/groups]: group g's patches are the (rows x kh·kw·Cin/groups) block
    // at column g·kh·kw·Cin/groups, and they meet only the weight rows of g's output channels,
    // whose [kh, kw, Cin/groups] order is the same. A pointwise convolution's input
    // (N·H·W x Cin) already has this layout, so it needs no copy.

    private var isPointwise: Bool { kernelSize == 1 && stride == 1 && padding == 0 }
    private var inputChannelsPerGroup: Int { inputShapes[0].channels / groups }
    private var outputChannelsPerGroup: Int { outputShape.channels / groups }
    /// kh·kw·Cin/groups: the reduction length of one group's product.
    private var patchLength: Int { kernelSize * kernelSize * inputChannelsPerGroup }
    private var patchRowWidth: Int { groups * patchLength }
    private var patchRowsPerSample: Int { outputShape.height * outputShape.width }
    private var weightCount: Int { outputShape.channels * patchLength }

    /// Patch matrices are built a few samples at a time, so the buffer stays near the size of
    /// a core's L2 cache (1 MiB here) instead of growing with the batch.
    private static let patchBufferFloats = 1 << 18

    private func samplesPerChunk(_ batch: Int) -> Int {
        max(1, min(batch, Self.patchBufferFloats / (patchRowsPerSample * patchRowWidth)))
    }

    private func forEachChunk(_ batch: Int, _ body: (Range<Int>) -> Void) {
        let chunk = samplesPerChunk(batch)
        for first in Swift.stride(from: 0, to: batch, by: chunk) {
            body(first..<min(batch, first + chunk))
        }
    }

    /// Output (rows x Cout) = patches · weightᵀ + beta · output, group by group.
    private func multiplyPatches(
        _ patches: UnsafePointer<Float>, rows: Int, by weight: UnsafePointer<Float>,
        into output: UnsafeMutablePointer<Float>, beta: Float
    ) {
        for group in 0..<groups {
            BLAS.sgemm(
                transposeB: true, m: rows, n: outputChannelsPerGroup, k: patchLength,
                a: patches + group * patchLength, lda: patchRowWidth,
                b: weight + group * outputChannelsPerGroup * patchLength, ldb: patchLength,
                beta: beta, c: output + group * outputChannelsPerGroup, ldc: outputShape.channels)
        }
    }

    /// Weight gradient (Cout x patchLength) += outputGradientᵀ · patches, group by group.
    private func addWeightGradient(
        patches: UnsafePointer<Float>, rows: Int, outputGradient: UnsafePointer<Float>,
        into weightGradient: UnsafeMutablePointer<Float>
    ) {
        for group in 0..<groups {
            BLAS.sgemm(
                transposeA: true, m: outputChannelsPerGroup, n: patchLength, k: rows,
                a: outputGradient + group * outputChannelsPerGroup, lda: outputShape.channels,
                b: patches + group * patchLength, ldb: patchRowWidth,
                beta: 1, c: weightGradient + group * outputChannelsPerGroup * patchLength, ldc: patchLength)
        }
    }

    /// Patch gradient (rows x patchRowWidth) = outputGradient · weight + beta · itself, group by group.
    private func patchGradient(
        rows: Int, outputGradient: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        into patchGradient: UnsafeMutablePointer<Float>, beta: Float
    ) {
        for group in 0..<groups {
            BLAS.sgemm(
                m: rows, n: patchLength, k: outputChannelsPerGroup,
                a: outputGradient + group * outputChannelsPerGroup, lda: outputShape.channels,
                b: weight + group * outputChannelsPerGroup * patchLength, ldb: patchLength,
                beta: beta, c: patchGradient + group * patchLength, ldc: patchRowWidth)
        }
    }

    /// im2col: the patch rows of `samples`, zeros where the window covers padding.
    private func gatherPatches(
        from input: UnsafePointer<Float>, samples: Range<Int>, into patches: UnsafeMutablePointer<Float>,
        threads: Int
    ) {
        let perGroup = inputChannelsPerGroup
        let inputStep = stride * inputShapes[0].channels
        let patchStep = patchRowWidth
        let outputWidth = outputShape.width
        parallelFor(samples.count * outputShape.height, threads: threads, minimumChunk: 4) { outputRows in
            for outputRow in outputRows {
                forEachPatchColumn(outputRow: outputRow, firstSample: samples.lowerBound) { patchOffset, inputOffset, covered in
                    let column = patches + patchOffset
                    let source = input + inputOffset
                    for outputX in 0..<covered.lowerBound {
                        zeroFloats(perGroup, at: column + outputX * patchStep)
                    }
                    if perGroup == 1 {
                        // A grey image: one float per cell, not worth a copy loop each.
                        for outputX in covered { column[outputX &* patchStep] = source[outputX &* inputStep] }
                    } else {
                        for outputX in covered {
                            copyFloats(perGroup, from: source + outputX * inputStep, to: column + outputX * patchStep)
                        }
                    }
                    for outputX in covered.upperBound..<outputWidth {
                        zeroFloats(perGroup, at: column + outputX * patchStep)
                    }
                }
            }
        }
    }

    /// col2im: adds each patch cell back onto the input cell it came from. Windows of one
    /// sample overlap, so threads split the samples, never the rows of one sample.
    private func scatterPatches(
        _ patches: UnsafePointer<Float>, samples: Range<Int>, into inputGradient: UnsafeMutablePointer<Float>,
        threads: Int
    ) {
        let perGroup = inputChannelsPerGroup
        let inputStep = stride * inputShapes[0].channels
        let patchStep = patchRowWidth
        let height = outputShape.height
        parallelFor(samples.count, threads: threads) { chunkSamples in
            for outputRow in chunkSamples.lowerBound * height..<chunkSamples.upperBound * height {
                forEachPatchColumn(outputRow: outputRow, firstSample: samples.lowerBound) { patchOffset, inputOffset, covered in
                    let column = patches + patchOffset
                    let target = inputGradient + inputOffset
                    for outputX in covered {
                        addFloats(perGroup, from: column + outputX * patchStep, to: target + outputX * inputStep)
                    }
                }
            }
        }
    }

    /// Visits each window cell and group of one output row of the chunk starting at
    /// `firstSample`, passing: the offset in the patch buffer of that cell's column (output
    /// column x at `+ x · patchRowWidth`), the offset in the input of the cell under output
    /// column 0 (x at `+ x · stride · C`, meaningful only inside the third argument), and the
    /// output columns whose cell lands on the input rather than on padding. Going cell by
    /// cell rather than pixel by pixel keeps the copies of a one-channel image cheap.
    @inline(__always)
    private func forEachPatchColumn(outputRow: Int, firstSample: Int, _ body: (Int, Int, Range<Int>) -> Void) {
        let shape = inputShapes[0]
        let perGroup = inputChannelsPerGroup
        let sample = firstSample + outputRow / outputShape.height
        let outputY = outputRow % outputShape.height
        let vertical = SlidingWindow(inputSize: shape.height, kernel: kernelSize, stride: stride, padding: padding)
        let horizontal = SlidingWindow(inputSize: shape.width, kernel: kernelSize, stride: stride, padding: padding)
        let rows = vertical.validOffsets(outputY)
        let firstPatch = outputRow * outputShape.width * patchRowWidth
        for dy in 0..<kernelSize {
            let inputRow = (sample * shape.height + vertical.start(outputY) + dy) * shape.width + horizontal.start(0)
            for dx in 0..<kernelSize {
                let covered = rows.contains(dy)
                    ? horizontal.outputsCovering(offset: dx, outputSize: outputShape.width) : 0..<0
                for group in 0..<groups {
                    body(firstPatch + group * patchLength + (dy * kernelSize + dx) * perGroup,
                         (inputRow + dx) * shape.channels + group * perGroup,
                         covered)
                }
            }
        }
    }
}

import Foundation
import Support

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
        outputShape = inputShape.slidingWindowOutput(
            kernelSize: kernelSize, stride: stride, padding: padding, channels: outputChannels)
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

    /// A pointwise convolution's input gradient is one product, whose beta can overwrite;
    /// larger windows scatter their patches with adds.
    public func canOverwriteInputGradient(_ input: Int) -> Bool { isPointwise }

    public func multiplyAccumulates(batch: Int) -> Int {
        batch * outputShape.height * outputShape.width * outputShape.channels
            * kernelSize * kernelSize * (inputShapes[0].channels / groups)
    }

    /// Per thread (up to the cores), an im2col buffer for one chunk of samples and a share of
    /// the weight gradient; a pointwise convolution reads its input as is and needs none.
    public func workspaceCount(batch: Int) -> Int {
        isPointwise ? 0 : min(batch, Self.maximumThreads) * ThreadWorkspaceLayout(self, batch: batch).count
    }

    /// One thread's part of the workspace; the parts lie one after another, a thread's first.
    private struct ThreadWorkspaceLayout {
        let patches: BufferLayout.Region      // (chunk·Ho·Wo, groups·kh·kw·Cin/groups): im2col of a chunk of samples
        let weightShare: BufferLayout.Region  // (Cout, kh·kw·Cin/groups): this thread's weight gradient (backward)
        let count: Int

        init(_ operation: Convolution, batch: Int) {
            var layout = BufferLayout()
            patches = layout.append(
                operation.samplesPerChunk(batch) * operation.patchRowsPerSample * operation.patchRowWidth)
            weightShare = layout.append(operation.weightCount)
            count = layout.count
        }
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
                            into: output, beta: beta, threads: context.threads)
            return
        }
        // Threads take whole samples, each with a patch buffer of its own: splitting the
        // product of one small chunk instead would cost more in hand-offs than it saves.
        let layout = ThreadWorkspaceLayout(self, batch: context.batch)
        forEachThreadsSamples(context, workspace: io.workspace) { samples, part in
            let patches = layout.patches.start(in: part)
            forEachChunk(of: samples, batch: context.batch) { chunk in
                gatherPatches(from: input, samples: chunk, into: patches)
                multiplyPatches(patches, rows: chunk.count * patchRowsPerSample, by: io.parameters,
                                into: output + chunk.lowerBound * outputShape.elementCount, beta: beta, threads: 1)
            }
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
            addWeightGradient(patches: input, rows: rows, outputGradient: outputGradient, into: weightGradient,
                              threads: context.threads)
            if let inputGradient {
                // The input is its own patch matrix, so the product goes straight into its
                // gradient: beta = 0 overwrites, beta = 1 adds.
                patchGradient(rows: rows, outputGradient: outputGradient, weight: io.parameters,
                              into: inputGradient, beta: io.overwritesInputGradients[0] ? 0 : 1,
                              threads: context.threads)
            }
            return
        }
        let layout = ThreadWorkspaceLayout(self, batch: context.batch)
        let shares = forEachThreadsSamples(context, workspace: io.workspace) { samples, part in
            let patches = layout.patches.start(in: part), share = layout.weightShare.start(in: part)
            share.update(repeating: 0, count: weightCount)
            forEachChunk(of: samples, batch: context.batch) { chunk in
                let rows = chunk.count * patchRowsPerSample
                let chunkOutputGradient = outputGradient + chunk.lowerBound * outputShape.elementCount
                gatherPatches(from: input, samples: chunk, into: patches)
                addWeightGradient(patches: patches, rows: rows, outputGradient: chunkOutputGradient, into: share,
                                  threads: 1)
                if let inputGradient {
                    // The patches are spent once the weight gradient has them: reuse their buffer.
                    patchGradient(rows: rows, outputGradient: chunkOutputGradient, weight: io.parameters,
                                  into: patches, beta: 0, threads: 1)
                    scatterPatches(patches, samples: chunk, into: inputGradient)
                }
            }
        }
        // Shares in thread order: the sum depends on the thread count only through rounding.
        for thread in 0..<shares {
            let share = layout.weightShare.start(in: io.workspace + thread * layout.count)
            for index in 0..<weightCount { weightGradient[index] += share[index] }
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

    /// Threads beyond the cores gain nothing; workspace is planned for at most this many.
    private static let maximumThreads = ProcessInfo.processInfo.activeProcessorCount

    private func samplesPerChunk(_ batch: Int) -> Int {
        max(1, min(batch, Self.patchBufferFloats / (patchRowsPerSample * patchRowWidth)))
    }

    /// Splits the batch's samples over the context's threads (at most as many as the workspace
    /// was planned for) and runs `body` on each thread's samples with that thread's part of the
    /// workspace (`ThreadWorkspaceLayout`). Returns how many threads ran, in the order of their
    /// parts.
    @discardableResult
    private func forEachThreadsSamples(
        _ context: RunContext, workspace: UnsafeMutablePointer<Float>,
        _ body: (Range<Int>, UnsafeMutablePointer<Float>) -> Void
    ) -> Int {
        guard context.batch > 0 else { return 0 }
        let threads = max(1, min(context.threads, context.batch, Self.maximumThreads))
        let partCount = ThreadWorkspaceLayout(self, batch: context.batch).count
        parallelForBlocks(context.batch, blocks: threads) { block, samples in
            body(samples, workspace + block * partCount)
        }
        return threads
    }

    private func forEachChunk(of samples: Range<Int>, batch: Int, _ body: (Range<Int>) -> Void) {
        let chunk = samplesPerChunk(batch)
        for first in Swift.stride(from: samples.lowerBound, to: samples.upperBound, by: chunk) {
            body(first..<min(samples.upperBound, first + chunk))
        }
    }

    /// Output (rows x Cout) = patches · weightᵀ + beta · output, group by group.
    private func multiplyPatches(
        _ patches: UnsafePointer<Float>, rows: Int, by weight: UnsafePointer<Float>,
        into output: UnsafeMutablePointer<Float>, beta: Float, threads: Int
    ) {
        for group in 0..<groups {
            BLAS.sgemm(
                transposeB: true, m: rows, n: outputChannelsPerGroup, k: patchLength,
                a: patches + group * patchLength, lda: patchRowWidth,
                b: weight + group * outputChannelsPerGroup * patchLength, ldb: patchLength,
                beta: beta, c: output + group * outputChannelsPerGroup, ldc: outputShape.channels, threads: threads)
        }
    }

    /// Weight gradient (Cout x patchLength) += outputGradientᵀ · patches, group by group.
    private func addWeightGradient(
        patches: UnsafePointer<Float>, rows: Int, outputGradient: UnsafePointer<Float>,
        into weightGradient: UnsafeMutablePointer<Float>, threads: Int
    ) {
        for group in 0..<groups {
            BLAS.sgemm(
                transposeA: true, m: outputChannelsPerGroup, n: patchLength, k: rows,
                a: outputGradient + group * outputChannelsPerGroup, lda: outputShape.channels,
                b: patches + group * patchLength, ldb: patchRowWidth,
                beta: 1, c: weightGradient + group * outputChannelsPerGroup * patchLength, ldc: patchLength,
                threads: threads)
        }
    }

    /// Patch gradient (rows x patchRowWidth) = outputGradient · weight + beta · itself, group by group.
    private func patchGradient(
        rows: Int, outputGradient: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        into patchGradient: UnsafeMutablePointer<Float>, beta: Float, threads: Int
    ) {
        for group in 0..<groups {
            BLAS.sgemm(
                m: rows, n: patchLength, k: outputChannelsPerGroup,
                a: outputGradient + group * outputChannelsPerGroup, lda: outputShape.channels,
                b: weight + group * outputChannelsPerGroup * patchLength, ldb: patchLength,
                beta: beta, c: patchGradient + group * patchLength, ldc: patchRowWidth, threads: threads)
        }
    }

    /// im2col: the patch rows of `samples`, zeros where the window covers padding.
    private func gatherPatches(
        from input: UnsafePointer<Float>, samples: Range<Int>, into patches: UnsafeMutablePointer<Float>
    ) {
        let perGroup = inputChannelsPerGroup
        let inputStep = stride * inputShapes[0].channels
        let patchStep = patchRowWidth
        let outputWidth = outputShape.width
        for outputRow in 0..<samples.count * outputShape.height {
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

    /// col2im: adds each patch cell back onto the input cell it came from.
    private func scatterPatches(
        _ patches: UnsafePointer<Float>, samples: Range<Int>, into inputGradient: UnsafeMutablePointer<Float>
    ) {
        let perGroup = inputChannelsPerGroup
        let inputStep = stride * inputShapes[0].channels
        let patchStep = patchRowWidth
        for outputRow in 0..<samples.count * outputShape.height {
            forEachPatchColumn(outputRow: outputRow, firstSample: samples.lowerBound) { patchOffset, inputOffset, covered in
                let column = patches + patchOffset
                let target = inputGradient + inputOffset
                for outputX in covered {
                    addFloats(perGroup, from: column + outputX * patchStep, to: target + outputX * inputStep)
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
                    ? horizontal.outputsCovering(offset: dx) : 0..<0
                for group in 0..<groups {
                    body(firstPatch + group * patchLength + (dy * kernelSize + dx) * perGroup,
                         (inputRow + dx) * shape.channels + group * perGroup,
                         covered)
                }
            }
        }
    }
}

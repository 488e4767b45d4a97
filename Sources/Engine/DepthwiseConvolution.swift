import Support

/// Depthwise k x k convolution (groups = channels, one filter per channel), NHWC.
///
/// Weight layout [channels, kh, kw, 1], the same as a grouped `Convolution` with
/// groups = channels, so checkpoints do not depend on which kernel ran. The loops run over
/// channels innermost, where NHWC makes them contiguous and vectorisable. Both passes read
/// copies of their operand with zero columns on both sides (forward the input, backward the
/// output gradient), so their inner loops run over every column without bounds checks.
public final class DepthwiseConvolution: Operation {
    public let inputShapes: [TensorShape]
    public let outputShape: TensorShape
    public let kernelSize: Int
    public let stride: Int
    public let padding: Int
    public let hasBias: Bool
    public let parameterSpecs: [ParameterSpec]
    fileprivate let gatherGeometry: GatherGeometry

    public init(
        inputShape: TensorShape, kernelSize: Int, stride: Int = 1, padding: Int = 0,
        bias: Bool = false, weightInitializer: Initializer? = nil, biasInitializer: Initializer = .zeros
    ) {
        let channels = inputShape.channels
        inputShapes = [inputShape]
        outputShape = inputShape.slidingWindowOutput(
            kernelSize: kernelSize, stride: stride, padding: padding, channels: channels)
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.hasBias = bias
        var specs = [ParameterSpec(
            "weight", shape: [channels, kernelSize, kernelSize, 1],
            initializer: weightInitializer ?? .kaimingNormalFanOut(fanOut: channels * kernelSize * kernelSize))]
        if bias { specs.append(ParameterSpec("bias", shape: [channels], initializer: biasInitializer)) }
        parameterSpecs = specs
        gatherGeometry = GatherGeometry(input: inputShape, output: outputShape, kernel: kernelSize, stride: stride, padding: padding)
    }

    public var kind: OperationKind { .depthwiseConvolution }

    /// Backward gathers each input row's gradient in passes, one per kernel row that reaches
    /// it, and the first pass can write over it. Rows no window covers (a stride that steps
    /// past the last ones) have a zero gradient that no pass writes, so such a window only adds.
    public func canOverwriteInputGradient(_ input: Int) -> Bool { gatherGeometry.coversEveryInputRow }

    public func multiplyAccumulates(batch: Int) -> Int {
        batch * outputShape.elementCount * kernelSize * kernelSize
    }

    public func workspaceCount(batch: Int) -> Int { WorkspaceLayout(self, batch: batch).count }

    /// Scratch of one call. The padded copies are of the input in forward and of the output
    /// gradient in backward; a thread uses the copy and the sink of its first sample.
    private struct WorkspaceLayout {
        let weight: BufferLayout.Region        // (kh, kw, C): the weight transposed
        let slots: BufferLayout.Region         // (batch, kh·kw (+1 with bias), C): parameter gradients (backward)
        let paddedCopies: BufferLayout.Region  // (batch, paddedCopyCount): rows with zero columns on both sides
        let sinks: BufferLayout.Region         // (batch): prefetch sinks (backward)
        let count: Int

        init(_ operation: DepthwiseConvolution, batch: Int) {
            var layout = BufferLayout()
            weight = layout.append(operation.tapCount * operation.channels)
            slots = layout.append(batch * operation.gradientSlotCount)
            paddedCopies = layout.append(batch * operation.paddedCopyCount)
            sinks = layout.append(batch * DepthwiseConvolution.sinkCount)
            count = layout.count
        }
    }

    public func forward(_ io: OperationIO, _ context: RunContext) {
        let workspace = WorkspaceLayout(self, batch: context.batch)
        let weight = workspace.weight.start(in: io.workspace)
        transposeWeight(io.parameters, into: weight)
        let bias: UnsafePointer<Float>? = hasBias ? UnsafePointer(io.parameters + tapCount * channels) : nil
        let paddedInputs = workspace.paddedCopies.start(in: io.workspace)
        let sampleWork = multiplyAccumulates(batch: 1)
        parallelFor(context.batch, threads: context.threads,
                    minimumChunk: max(1, Self.minimumWorkPerThread / max(1, sampleWork))) { samples in
            let padded = paddedInputs + samples.lowerBound * paddedCopyCount    // (H, padded W, C)
            for sample in samples {
                padInput(io.inputs[0] + sample * inputShapes[0].elementCount, into: padded)
                for outputY in 0..<outputShape.height {
                    forwardRow(outputY, paddedInput: padded, weight: weight, bias: bias,
                               output: io.output + (sample * outputShape.height + outputY) * outputShape.width * channels)
                }
            }
        }
    }

    public func backward(_ io: OperationIO, _ context: RunContext) {
        guard context.batch > 0 else { return }
        let workspace = WorkspaceLayout(self, batch: context.batch)
        let weight = workspace.weight.start(in: io.workspace)
        transposeWeight(io.parameters, into: weight)
        let slots = workspace.slots.start(in: io.workspace)
        let paddedGradients = workspace.paddedCopies.start(in: io.workspace)
        let sinks = workspace.sinks.start(in: io.workspace)
        let overwrites = io.overwritesInputGradients[0]
        let sampleWork = 2 * multiplyAccumulates(batch: 1)
        // Each sample adds its parameter gradient into a slot of its own, and the slots are
        // summed in sample order: the result does not depend on the thread count. Threads take
        // whole samples, whose input gradients are disjoint.
        parallelFor(context.batch, threads: context.threads,
                    minimumChunk: max(1, Self.minimumWorkPerThread / max(1, sampleWork))) { samples in
            let padded = paddedGradients + samples.lowerBound * paddedCopyCount  // (Ho, padded Wo, C)
            for sample in samples {
                backwardSample(sample, io: io, weight: weight, slot: slots + sample * gradientSlotCount,
                               paddedGradient: padded, sink: sinks + samples.lowerBound * Self.sinkCount,
                               overwrites: overwrites)
            }
        }
        addSlots(slots, batch: context.batch, to: io.parameterGradients, threads: context.threads)
    }

    // MARK: - Shared

    private var channels: Int { outputShape.channels }
    private var tapCount: Int { kernelSize * kernelSize }
    private var gradientSlotCount: Int { (tapCount + (hasBias ? 1 : 0)) * channels }
    private var paddedCopyCount: Int { max(paddedInputCount, paddedGradientCount) }

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

    // MARK: - Forward

    /// Copies one sample's input into rows with zero columns on both sides, so that every
    /// window column lies on the copy.
    private func padInput(_ input: UnsafePointer<Float>, into padded: UnsafeMutablePointer<Float>) {
        let channels = channels, width = inputShapes[0].width
        let left = padding, right = inputRightPadding
        for inputY in 0..<inputShapes[0].height {
            let row = padded + inputY * (left + width + right) * channels
            row.update(repeating: 0, count: left * channels)
            (row + left * channels).update(from: input + inputY * width * channels, count: width * channels)
            (row + (left + width) * channels).update(repeating: 0, count: right * channels)
        }
    }

    /// Zero columns after each row of the padded input copy: as many as the last window
    /// reaches past the input.
    private var inputRightPadding: Int {
        SlidingWindow(inputSize: inputShapes[0].width, kernel: kernelSize, stride: stride, padding: padding).reachPastEnd
    }

    private var paddedInputCount: Int {
        inputShapes[0].height * (padding + inputShapes[0].width + inputRightPadding) * channels
    }

    private func forwardRow(
        _ outputY: Int, paddedInput: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>
    ) {
        let channels = channels
        let vertical = SlidingWindow(inputSize: inputShapes[0].height, kernel: kernelSize, stride: stride, padding: padding)
        let windowRows = vertical.validOffsets(outputY)
        let rowFloats = (padding + inputShapes[0].width + inputRightPadding) * channels
        // The window's first cell at column 0, in the padded copy.
        let window = paddedInput + (vertical.start(outputY) + windowRows.lowerBound) * rowFloats
        let weight = weight + windowRows.lowerBound * kernelSize * channels
        let rows = PixelGroupRows(count: windowRows.count, floats: rowFloats, kernelSize: kernelSize,
                                  channels: channels, pixelStep: stride * channels)
        // Four pixels at a time: each weight load then serves four products, and four
        // independent sums hide the add latency. A row's last few pixels go one by one.
        var outputX = 0
        while outputX + PixelGroup<4>.count <= outputShape.width {
            PixelGroup<4>.forward(window + outputX * stride * channels, rows, weight: weight, bias: bias,
                                  output: output + outputX * channels)
            outputX += PixelGroup<4>.count
        }
        while outputX < outputShape.width {
            PixelGroup<1>.forward(window + outputX * stride * channels, rows, weight: weight, bias: bias,
                                  output: output + outputX * channels)
            outputX += 1
        }
    }
}

/// The window rows of one output row in the padded input copy.
private struct PixelGroupRows {
    let count: Int
    /// Floats from one row of the copy to the next.
    let floats: Int
    let kernelSize: Int
    let channels: Int
    /// Floats from one output pixel's window to the next.
    let pixelStep: Int
}

/// `pixels` adjacent output pixels of one row: their sums stay in registers across the window.
private enum PixelGroup<let pixels: Int> {
    static var count: Int { pixels }

    static func forward(
        _ window: UnsafePointer<Float>, _ rows: PixelGroupRows, weight: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>
    ) {
        @inline(__always)
        func block<Lanes: ChannelLanes>(_: Lanes.Type, _ channel: Int) {
            var sums = InlineArray<pixels, Lanes>(repeating: bias.map { Lanes(loadingFrom: $0 + channel) } ?? Lanes(repeating: 0))
            var row = window + channel
            var rowWeight = weight + channel
            for _ in 0..<rows.count {
                for column in 0..<rows.kernelSize {
                    let tapWeight = Lanes(loadingFrom: rowWeight + column &* rows.channels)
                    let cell = row + column &* rows.channels
                    for pixel in 0..<pixels { sums[pixel] += Lanes(loadingFrom: cell + pixel &* rows.pixelStep) * tapWeight }
                }
                row += rows.floats
                rowWeight += rows.kernelSize &* rows.channels
            }
            for pixel in 0..<pixels { sums[pixel].store(to: output + pixel &* rows.channels + channel) }
        }
        forEachChannelBlock(rows.channels, vector: { block(SIMD8<Float>.self, $0) }, scalar: { block(Float.self, $0) })
    }
}

// MARK: - Backward

/// Backward computes the input gradient as a gather, input pixel by input pixel, so that each
/// is written once per kernel row and never needs zeroing first, and the weight gradient from
/// the same loads.
///
/// Input column x lies under tap kx of output column (x + padding − kx) / stride where that
/// divides evenly. Columns then fall into groups of `stride` adjacent ones: tap kx meets the
/// group's column kx mod stride and output column (group + firstGroupOutput) − kx / stride,
/// the same for every group, so the taps unroll with no arithmetic per column. The output
/// gradient is read from a copy with zero columns on both sides, so every tap of every column
/// may be read, whether its output column exists or not.
private struct GatherGeometry {
    /// Zero columns before and after each row of the output gradient's copy.
    let leftPadding: Int
    let rightPadding: Int
    /// Input columns before the first whole group (padding not a multiple of the stride) and
    /// after the last (width not a multiple of the stride): parts of groups.
    let headColumns: Int
    let groupCount: Int
    let tailColumns: Int
    /// Output column under tap 0 of the first whole group's first column.
    let firstGroupOutput: Int
    /// Per kernel row ky: the output rows whose window row ky lies on the input.
    let outputRowsUnderTap: [Range<Int>]
    /// Output rows gathered together, channel block by channel block: few enough that the input
    /// rows under them stay in the L1 cache while the blocks of a cache line pass over them.
    let outputRowsPerBand: Int
    /// Per input row: the kernel row whose pass reaches it first (bands in order, kernel rows
    /// in order within a band), -1 where no window covers the row (its gradient is zero).
    let firstTapRow: [Int]
    let coversEveryInputRow: Bool

    /// Input pixels under one band, at most (unless a single output row has more).
    private static let bandPixels = 256

    init(input: TensorShape, output: TensorShape, kernel: Int, stride: Int, padding: Int) {
        var outputColumns = 0..<1
        for column in 0..<input.width {
            for tap in 0..<kernel where (column + padding - tap) % stride == 0 {
                let outputColumn = (column + padding - tap) / stride
                outputColumns = min(outputColumns.lowerBound, outputColumn)..<max(outputColumns.upperBound, outputColumn + 1)
            }
        }
        leftPadding = -outputColumns.lowerBound
        rightPadding = max(0, outputColumns.upperBound - output.width)
        headColumns = min(input.width, (stride - padding % stride) % stride)
        groupCount = (input.width - headColumns) / stride
        tailColumns = input.width - headColumns - groupCount * stride
        firstGroupOutput = (headColumns + padding) / stride
        let vertical = SlidingWindow(inputSize: input.height, kernel: kernel, stride: stride, padding: padding)
        let rows = (0..<kernel).map { vertical.outputsCovering(offset: $0) }
        outputRowsUnderTap = rows
        let bandRows = max(1, (Self.bandPixels / input.width - kernel + stride) / stride)
        outputRowsPerBand = bandRows
        var firstTapRow = Array(repeating: -1, count: input.height)
        for band in Swift.stride(from: 0, to: output.height, by: bandRows) {
            for tapRow in 0..<kernel {
                for outputY in rows[tapRow].clamped(to: band..<band + bandRows) {
                    let inputY = outputY * stride - padding + tapRow
                    if firstTapRow[inputY] < 0 { firstTapRow[inputY] = tapRow }
                }
            }
        }
        self.firstTapRow = firstTapRow
        coversEveryInputRow = !firstTapRow.contains(-1)
    }
}

extension DepthwiseConvolution {
    private var paddedGradientCount: Int {
        outputShape.height * (gatherGeometry.leftPadding + outputShape.width + gatherGeometry.rightPadding) * channels
    }

    private func backwardSample(
        _ sample: Int, io: OperationIO, weight: UnsafePointer<Float>, slot: UnsafeMutablePointer<Float>,
        paddedGradient: UnsafeMutablePointer<Float>, sink: UnsafeMutablePointer<Float>, overwrites: Bool
    ) {
        let input = io.inputs[0] + sample * inputShapes[0].elementCount                 // (H, W, C)
        let inputGradient = io.inputGradients[0].map { $0 + sample * inputShapes[0].elementCount }
        padOutputGradient(io.outputGradient + sample * outputShape.elementCount, into: paddedGradient,
                          biasSlot: hasBias ? slot + tapCount * channels : nil)
        slot.update(repeating: 0, count: tapCount * channels)
        let bandRows = gatherGeometry.outputRowsPerBand
        for band in Swift.stride(from: 0, to: outputShape.height, by: bandRows) {
            let inputRows = max(0, band * stride - padding)..<min(
                inputShapes[0].height, (min(band + bandRows, outputShape.height) - 1) * stride - padding + kernelSize)
            prefetch(inputRows, of: input, inputGradient, sink: sink)
            // Four channels a block: a block's weights and weight-gradient sums for a kernel row
            // of five taps then fit in the sixteen SSE registers beside the column's values.
            func block<Lanes: ChannelLanes>(_ lanes: Lanes.Type, _ channel: Int) {
                for tapRow in 0..<kernelSize {
                    let pointers = KernelRowPointers(
                        input: input + channel, inputGradient: inputGradient.map { $0 + channel },
                        paddedGradient: paddedGradient + gatherGeometry.leftPadding * channels + channel,
                        weight: weight + tapRow * kernelSize * channels + channel,
                        slot: slot + tapRow * kernelSize * channels + channel)
                    backwardKernelRow(lanes, tapRow, outputRows: band..<min(band + bandRows, outputShape.height),
                                      pointers, overwrites: overwrites)
                }
            }
            forEachChannelBlock(channels, of: SIMD4<Float>.self,
                                vector: { block(SIMD4<Float>.self, $0) }, scalar: { block(Float.self, $0) })
        }
    }

    /// Floats of a prefetch sink.
    private static let sinkCount = 1

    /// Reads one float per cache line of input rows `rows` and of their gradient, in memory
    /// order, before the channel blocks pass over them one block at a time: the hardware
    /// prefetches such a sweep, but not the blocks' strided ones, which would otherwise wait
    /// on memory line by line (measured in the MobileNet-V3 training step, where backward
    /// finds the input long out of the cache: 20-45% faster on several layers). The sum goes
    /// to `sink`, so that the reads are not optimised away.
    private func prefetch(
        _ rows: Range<Int>, of input: UnsafePointer<Float>, _ inputGradient: UnsafePointer<Float>?,
        sink: UnsafeMutablePointer<Float>
    ) {
        let lineFloats = 16
        let rowFloats = inputShapes[0].width * channels
        var sum = sink.pointee
        for cell in Swift.stride(from: rows.lowerBound * rowFloats, to: rows.upperBound * rowFloats, by: lineFloats) {
            sum += input[cell]
            if let inputGradient { sum += inputGradient[cell] }
        }
        sink.pointee = sum
    }

    /// Copies one sample's output gradient into rows with zero columns on both sides (see
    /// `GatherGeometry`), and sums it per channel into the bias gradient slot.
    private func padOutputGradient(
        _ gradient: UnsafePointer<Float>, into padded: UnsafeMutablePointer<Float>, biasSlot: UnsafeMutablePointer<Float>?
    ) {
        let channels = channels, width = outputShape.width
        let paddedWidth = gatherGeometry.leftPadding + width + gatherGeometry.rightPadding
        for outputY in 0..<outputShape.height {
            let row = padded + outputY * paddedWidth * channels
            row.update(repeating: 0, count: gatherGeometry.leftPadding * channels)
            (row + gatherGeometry.leftPadding * channels).update(from: gradient + outputY * width * channels, count: width * channels)
            (row + (gatherGeometry.leftPadding + width) * channels).update(repeating: 0, count: gatherGeometry.rightPadding * channels)
        }
        if let biasSlot {
            biasSlot.update(repeating: 0, count: channels)
            for pixel in 0..<outputShape.height * width {
                addFloats(channels, from: gradient + pixel * channels, to: biasSlot)
            }
        }
    }

    /// Backward for kernel row `tapRow` and `outputRows` over one block of channels of one sample.
    private func backwardKernelRow<Lanes: ChannelLanes>(
        _ lanes: Lanes.Type, _ tapRow: Int, outputRows: Range<Int>, _ pointers: KernelRowPointers,
        overwrites: Bool
    ) {
        switch (kernelSize, stride) {
        case (3, 1): GroupGather<3, 1>.kernelRow(self, lanes, tapRow, outputRows: outputRows, pointers, overwrites: overwrites)
        case (3, 2): GroupGather<3, 2>.kernelRow(self, lanes, tapRow, outputRows: outputRows, pointers, overwrites: overwrites)
        case (5, 1): GroupGather<5, 1>.kernelRow(self, lanes, tapRow, outputRows: outputRows, pointers, overwrites: overwrites)
        case (5, 2): GroupGather<5, 2>.kernelRow(self, lanes, tapRow, outputRows: outputRows, pointers, overwrites: overwrites)
        default:
            for outputY in gatherGeometry.outputRowsUnderTap[tapRow].clamped(to: outputRows) {
                let pass = inputRowPass(tapRow, outputY, overwrites: overwrites)
                let row = pointers.offset(inputRow: pass.inputRow, gradientRow: pass.gradientRow)
                func gather<Write: GradientWrite>(_: Write.Type) {
                    for column in 0..<inputShapes[0].width { gatherColumn(lanes, Write.self, column, row) }
                }
                pass.overwrites ? gather(OverwriteGradient.self) : gather(AccumulateGradient.self)
            }
        }
    }

    /// The pass of kernel row `tapRow` over output row `outputY`: the input row under it (its
    /// offset in the sample), the output gradient row (its offset in the padded copy), and
    /// whether the pass overwrites the row's gradient: when backward overwrites, the first
    /// pass to reach a row writes over it and the others add.
    @inline(__always)
    fileprivate func inputRowPass(
        _ tapRow: Int, _ outputY: Int, overwrites: Bool
    ) -> (inputRow: Int, gradientRow: Int, overwrites: Bool) {
        let inputY = outputY * stride - padding + tapRow
        return (inputY * inputShapes[0].width * channels,
                outputY * (gatherGeometry.leftPadding + outputShape.width + gatherGeometry.rightPadding) * channels,
                overwrites && gatherGeometry.firstTapRow[inputY] == tapRow)
    }

    /// One input column of a row, its taps found at run time and its weight gradient added
    /// through memory: every column of a window without a group kernel.
    fileprivate func gatherColumn<Lanes: ChannelLanes, Write: GradientWrite>(
        _: Lanes.Type, _: Write.Type, _ column: Int, _ pointers: KernelRowPointers
    ) {
        let channels = channels
        let pixel = Lanes(loadingFrom: pointers.input + column * channels)
        var gradient = Lanes(repeating: 0)
        var tap = (column + padding) % stride
        var outputColumn = (column + padding - tap) / stride
        while tap < kernelSize {
            let value = Lanes(loadingFrom: pointers.paddedGradient + outputColumn * channels)
            Lanes.add(value * pixel, to: pointers.slot + tap * channels)
            gradient += value * Lanes(loadingFrom: pointers.weight + tap * channels)
            tap += stride
            outputColumn -= 1
        }
        if let inputGradient = pointers.inputGradient { Write.write(gradient, to: inputGradient + column * channels) }
    }

    /// Sums the per-sample slots into the first in sample order, then adds that to the
    /// parameter gradients: [C, kh·kw] from the slot's [kh·kw, C], then the bias.
    private func addSlots(
        _ slots: UnsafeMutablePointer<Float>, batch: Int, to parameterGradients: UnsafeMutablePointer<Float>, threads: Int
    ) {
        let count = gradientSlotCount
        parallelFor(count, threads: threads, minimumChunk: max(1, Self.minimumWorkPerThread / batch)) { indices in
            for sample in 1..<batch {
                addFloats(indices.count, from: slots + sample * count + indices.lowerBound, to: slots + indices.lowerBound)
            }
        }
        for tap in 0..<tapCount {
            for channel in 0..<channels {
                parameterGradients[channel * tapCount + tap] += slots[tap * channels + channel]
            }
        }
        if hasBias {
            addFloats(channels, from: slots + tapCount * channels, to: parameterGradients + tapCount * channels)
        }
    }
}

/// Where backward reads and writes for one kernel row and one block of channels of a sample;
/// the rows' offsets are added per row.
private struct KernelRowPointers {
    /// The input (and its gradient) at row 0, column 0.
    var input: UnsafePointer<Float>
    var inputGradient: UnsafeMutablePointer<Float>?
    /// The padded output gradient copy at row 0, at the column of output column 0.
    var paddedGradient: UnsafePointer<Float>
    /// The kernel row's first tap in the transposed weight and in the sample's slot.
    let weight: UnsafePointer<Float>
    let slot: UnsafeMutablePointer<Float>

    @inline(__always)
    func offset(inputRow: Int, gradientRow: Int) -> KernelRowPointers {
        var row = self
        row.input += inputRow
        row.inputGradient = inputGradient.map { $0 + inputRow }
        row.paddedGradient += gradientRow
        return row
    }
}

/// Backward for one kernel row of `taps` taps moved by `stride`, over the column groups of
/// `GatherGeometry`: the row's weights and weight-gradient sums stay in registers across the
/// whole pass, and each group reads its pixels and output gradients once. The write mode,
/// which changes from row to row, is a run-time branch per group: specialising the row for
/// each mode would double the code the compiler inlines, past the size at which it keeps the
/// sums in registers (measured: backward 30% slower).
private enum GroupGather<let taps: Int, let stride: Int> {
    static func kernelRow<Lanes: ChannelLanes>(
        _ operation: DepthwiseConvolution, _ lanes: Lanes.Type, _ tapRow: Int, outputRows: Range<Int>,
        _ pointers: KernelRowPointers, overwrites: Bool
    ) {
        let channels = operation.outputShape.channels
        let geometry = operation.gatherGeometry
        let weights = InlineArray<taps, Lanes> { Lanes(loadingFrom: pointers.weight + $0 * channels) }
        var sums = InlineArray<taps, Lanes>(repeating: Lanes(repeating: 0))
        // A plain loop, not a closure: a closure capturing the sums would keep them in memory.
        for outputY in geometry.outputRowsUnderTap[tapRow].clamped(to: outputRows) {
            let pass = operation.inputRowPass(tapRow, outputY, overwrites: overwrites)
            let row = pointers.offset(inputRow: pass.inputRow, gradientRow: pass.gradientRow)
            gatherRow(row, geometry, channels, weights, &sums, overwrites: pass.overwrites)
        }
        for tap in 0..<taps { Lanes.add(sums[tap], to: pointers.slot + tap * channels) }
    }

    /// One input row: the columns before the first whole group and after the last are the
    /// ends of partial groups.
    @inline(__always)
    private static func gatherRow<Lanes: ChannelLanes>(
        _ row: KernelRowPointers, _ geometry: GatherGeometry, _ channels: Int,
        _ weights: InlineArray<taps, Lanes>, _ sums: inout InlineArray<taps, Lanes>, overwrites: Bool
    ) {
        if geometry.headColumns > 0 {
            gatherGroup(-1, columns: stride - geometry.headColumns..<stride, geometry, channels, weights, &sums, row,
                        overwrites: overwrites)
        }
        for group in 0..<geometry.groupCount {
            gatherGroup(group, columns: 0..<stride, geometry, channels, weights, &sums, row, overwrites: overwrites)
        }
        if geometry.tailColumns > 0 {
            gatherGroup(geometry.groupCount, columns: 0..<geometry.tailColumns, geometry, channels, weights, &sums, row,
                        overwrites: overwrites)
        }
    }

    /// One group of `stride` adjacent input columns, of which `columns` lie on the input (all
    /// but at a row's ends). Offsets use wrapping arithmetic: overflow-checked index products
    /// would put a dozen checks in every group.
    @inline(__always)
    private static func gatherGroup<Lanes: ChannelLanes>(
        _ group: Int, columns: Range<Int>, _ geometry: GatherGeometry, _ channels: Int,
        _ weights: InlineArray<taps, Lanes>, _ sums: inout InlineArray<taps, Lanes>, _ row: KernelRowPointers,
        overwrites: Bool
    ) {
        let firstColumn = geometry.headColumns &+ group &* stride
        let outputGradient = row.paddedGradient + (geometry.firstGroupOutput &+ group) &* channels
        var pixels = InlineArray<stride, Lanes>(repeating: Lanes(repeating: 0))
        for column in columns { pixels[column] = Lanes(loadingFrom: row.input + (firstColumn &+ column) &* channels) }
        var gradients = InlineArray<stride, Lanes>(repeating: Lanes(repeating: 0))
        for tap in 0..<taps where columns.contains(tap % stride) {
            let value = Lanes(loadingFrom: outputGradient - tap / stride &* channels)
            sums[tap] += value * pixels[tap % stride]
            gradients[tap % stride] += value * weights[tap]
        }
        guard let inputGradient = row.inputGradient else { return }
        let target = inputGradient + firstColumn &* channels
        if overwrites {
            for column in columns { OverwriteGradient.write(gradients[column], to: target + column &* channels) }
        } else {
            for column in columns { AccumulateGradient.write(gradients[column], to: target + column &* channels) }
        }
    }
}

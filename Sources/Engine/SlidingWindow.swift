/// Where a window of `kernel` cells, moved by `stride` over an axis of `inputSize` cells with
/// `padding` zero cells at both ends, lands for each output position. Convolutions and pooling
/// share it, so they agree on which cells are padding.
struct SlidingWindow {
    let inputSize: Int
    let kernel: Int
    let stride: Int
    let padding: Int

    /// Output positions: PyTorch's floor rule, the windows that fit wholly on the padded axis.
    var outputSize: Int { (inputSize + 2 * padding - kernel) / stride + 1 }

    /// Input index under the window's first cell at `output` (negative inside the padding).
    func start(_ output: Int) -> Int { output * stride - padding }

    /// Cells the last window reaches past the input's end: at most `padding`, fewer where the
    /// stride stops short of it.
    var reachPastEnd: Int { max(0, start(outputSize - 1) + kernel - inputSize) }

    /// Outputs whose window cell `offset` lands on an input cell rather than padding.
    func outputsCovering(offset: Int) -> Range<Int> {
        // output·stride − padding + offset ∈ [0, inputSize); none when the cell lies past
        // the input even at output 0 (an input narrower than the window's reach).
        let first = max(0, (padding - offset + stride - 1) / stride)
        let last = inputSize - 1 + padding - offset
        let end = last < 0 ? 0 : min(outputSize, last / stride + 1)
        return first..<max(first, end)
    }

    /// Kernel offsets at `output` that land on input cells rather than padding.
    func validOffsets(_ output: Int) -> Range<Int> {
        let first = start(output)
        return max(0, -first)..<max(max(0, -first), min(kernel, inputSize - first))
    }
}

extension TensorShape {
    /// The output shape of a k x k window (convolution or pooling) moved by `stride` over this
    /// shape with `padding` zero cells on every side: PyTorch's (in + 2·padding - k) / stride + 1
    /// per axis, with `channels` channels.
    public func slidingWindowOutput(kernelSize: Int, stride: Int, padding: Int, channels: Int) -> TensorShape {
        TensorShape(
            height: SlidingWindow(inputSize: height, kernel: kernelSize, stride: stride, padding: padding).outputSize,
            width: SlidingWindow(inputSize: width, kernel: kernelSize, stride: stride, padding: padding).outputSize,
            channels: channels)
    }
}

/// A square window sliding over an H x W plane: the two axes of `SlidingWindow` together.
struct PlaneWindow {
    let vertical: SlidingWindow
    let horizontal: SlidingWindow
    let width: Int

    init(input: TensorShape, kernel: Int, stride: Int, padding: Int) {
        vertical = SlidingWindow(inputSize: input.height, kernel: kernel, stride: stride, padding: padding)
        horizontal = SlidingWindow(inputSize: input.width, kernel: kernel, stride: stride, padding: padding)
        width = input.width
    }

    /// Visits the window cells at (outputY, outputX) that land on input rather than padding,
    /// passing the cell's index in the kernel (dy·k + dx) and the pixel's index in the plane
    /// (y·W + x).
    @inline(__always)
    func forEachCell(outputY: Int, outputX: Int, _ body: (_ tap: Int, _ pixel: Int) -> Void) {
        let top = vertical.start(outputY)
        let left = horizontal.start(outputX)
        let columns = horizontal.validOffsets(outputX)
        for dy in vertical.validOffsets(outputY) {
            for dx in columns {
                body(dy * vertical.kernel + dx, (top + dy) * width + left + dx)
            }
        }
    }

    /// The plane index of the first input cell under the window at (outputY, outputX).
    func firstPixel(outputY: Int, outputX: Int) -> Int {
        (vertical.start(outputY) + vertical.validOffsets(outputY).lowerBound) * width
            + horizontal.start(outputX) + horizontal.validOffsets(outputX).lowerBound
    }
}

/// How backward puts a value into an input's gradient.
///
/// The rule every operation may assume is to add (`+=`): the readers of one tensor then sum
/// their shares into its gradient with no special case, and the executor zeroes a gradient
/// just before its first writer when that writer only adds. An operation whose backward
/// writes every element of an input's gradient in one pass may opt in to overwriting instead
/// (`Operation.canOverwriteInputGradient(_:)`); where it writes that gradient first, it is then
/// told to write over whatever the buffer holds (`OperationIO.overwritesInputGradients`),
/// which spares the zeroing pass and the reading back of its zeros.
///
/// Such a kernel is written once, generic over this protocol, and is specialised for each
/// mode, so the mode is chosen once per call and the loops inside stay free of branches and
/// vectorise:
///
///     func write<Write: GradientWrite>(_: Write.Type) { for i in range { Write.write(dy[i], to: dx + i) } }
///     if io.overwritesInputGradients[0] { write(OverwriteGradient.self) } else { write(AccumulateGradient.self) }
///
/// SGEMM takes the same rule as its beta: 0 overwrites, 1 adds.
protocol GradientWrite {
    static func write<Lanes: ChannelLanes>(_ value: Lanes, to pointer: UnsafeMutablePointer<Float>)
    /// Writes `count` floats from `source`, a vector at a time.
    static func write(_ count: Int, from source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>)
    /// Writes a gradient of `count` zeros: stores them when overwriting, leaves the buffer
    /// as it is when adding. For elements an operation's output does not depend on.
    static func writeZeros(_ count: Int, to destination: UnsafeMutablePointer<Float>)
}

enum AccumulateGradient: GradientWrite {
    @inline(__always)
    static func write<Lanes: ChannelLanes>(_ value: Lanes, to pointer: UnsafeMutablePointer<Float>) {
        Lanes.add(value, to: pointer)
    }

    @inline(__always)
    static func write(_ count: Int, from source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>) {
        addFloats(count, from: source, to: destination)
    }

    @inline(__always)
    static func writeZeros(_ count: Int, to destination: UnsafeMutablePointer<Float>) {}
}

enum OverwriteGradient: GradientWrite {
    @inline(__always)
    static func write<Lanes: ChannelLanes>(_ value: Lanes, to pointer: UnsafeMutablePointer<Float>) {
        value.store(to: pointer)
    }

    @inline(__always)
    static func write(_ count: Int, from source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>) {
        copyFloats(count, from: source, to: destination)
    }

    @inline(__always)
    static func writeZeros(_ count: Int, to destination: UnsafeMutablePointer<Float>) {
        zeroFloats(count, at: destination)
    }
}

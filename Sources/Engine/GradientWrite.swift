/// How backward puts a value into an input's gradient (`OperationIO.accumulatesInputGradients`):
/// added onto what the buffer holds, or written over it. A kernel written once, generic over
/// this, is specialised for each mode, so the mode is chosen once per call and the loops
/// inside stay free of branches and vectorise:
///
///     func write<Write: GradientWrite>(_: Write.Type) { for i in range { Write.write(dy[i], to: dx + i) } }
///     if io.accumulatesInputGradients[0] { write(AccumulateGradient.self) } else { write(OverwriteGradient.self) }
protocol GradientWrite {
    static func write(_ value: Float, to pointer: UnsafeMutablePointer<Float>)
    static func write<Vector: SIMD>(_ value: Vector, to pointer: UnsafeMutablePointer<Float>) where Vector.Scalar == Float
    /// Writes `count` floats from `source`, a vector at a time.
    static func write(_ count: Int, from source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>)
}

enum AccumulateGradient: GradientWrite {
    @inline(__always)
    static func write(_ value: Float, to pointer: UnsafeMutablePointer<Float>) { pointer.pointee += value }

    @inline(__always)
    static func write<Vector: SIMD>(_ value: Vector, to pointer: UnsafeMutablePointer<Float>) where Vector.Scalar == Float {
        let raw = UnsafeMutableRawPointer(pointer)
        raw.storeBytes(of: raw.loadUnaligned(as: Vector.self) + value, as: Vector.self)
    }

    @inline(__always)
    static func write(_ count: Int, from source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>) {
        addFloats(count, from: source, to: destination)
    }
}

enum OverwriteGradient: GradientWrite {
    @inline(__always)
    static func write(_ value: Float, to pointer: UnsafeMutablePointer<Float>) { pointer.pointee = value }

    @inline(__always)
    static func write<Vector: SIMD>(_ value: Vector, to pointer: UnsafeMutablePointer<Float>) where Vector.Scalar == Float {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: Vector.self)
    }

    @inline(__always)
    static func write(_ count: Int, from source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>) {
        copyFloats(count, from: source, to: destination)
    }
}

extension Operation {
    /// Sets `samples` of the first input's gradient to zero: a backward that scatters into it
    /// with `+=` (overlapping windows) overwrites what the buffer held by starting from zero.
    func zeroInputGradient(_ gradient: UnsafeMutablePointer<Float>, samples: Range<Int>) {
        let count = inputShapes[0].elementCount
        (gradient + samples.lowerBound * count).update(repeating: 0, count: samples.count * count)
    }
}

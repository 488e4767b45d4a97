/// A block of adjacent channels handled as one value: eight in a SIMD vector, or a single
/// `Float` for the channels left over. NHWC keeps a pixel's channels contiguous, so the direct
/// kernels (depthwise convolution, pooling) are written once over `ChannelLanes` and run on
/// vectors, with no per-call alias checks or loop set-up that would dominate when a pixel has
/// only 16 or 24 channels, then on scalars for the remainder.
protocol ChannelLanes {
    init(repeating value: Float)
    init(loadingFrom pointer: UnsafePointer<Float>)
    func store(to pointer: UnsafeMutablePointer<Float>)
    static func + (left: Self, right: Self) -> Self
    static func - (left: Self, right: Self) -> Self
    static func * (left: Self, right: Self) -> Self
}

/// Lanes that max pooling runs on: eight channels in a vector, or one `Float` for the rest.
protocol MaximumLanes: ChannelLanes {
    /// Replaces the lanes of `self` where `candidate` is larger, and sets `winner` there to
    /// `index`: one step of max pooling.
    mutating func keepMaximum(_ candidate: Self, index: Float, winner: inout Self)
}

extension ChannelLanes {
    static func += (left: inout Self, right: Self) { left = left + right }

    /// Adds `right` onto the lanes stored at `pointer`.
    @inline(__always)
    static func add(_ right: Self, to pointer: UnsafeMutablePointer<Float>) {
        (Self(loadingFrom: pointer) + right).store(to: pointer)
    }
}

/// Runs `vectorBody` over the channel blocks of `channels` that fill a vector, then
/// `scalarBody` over the rest; each receives the first channel of its block.
@inline(__always)
func forEachChannelBlock(
    _ channels: Int, vector vectorBody: (Int) -> Void, scalar scalarBody: (Int) -> Void
) {
    forEachChannelBlock(channels, of: SIMD8<Float>.self, vector: vectorBody, scalar: scalarBody)
}

/// `forEachChannelBlock` with blocks as wide as `Vector`.
@inline(__always)
func forEachChannelBlock<Vector: SIMD>(
    _ channels: Int, of _: Vector.Type, vector vectorBody: (Int) -> Void, scalar scalarBody: (Int) -> Void
) {
    let vectorEnd = channels - channels % Vector.scalarCount
    for channel in stride(from: 0, to: vectorEnd, by: Vector.scalarCount) { vectorBody(channel) }
    for channel in vectorEnd..<channels { scalarBody(channel) }
}

/// Copies `count` floats, a vector at a time. For the few floats of one im2col cell
/// (a single-channel image has one per cell) this beats a call to memcpy.
@inline(__always)
func copyFloats(_ count: Int, from source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>) {
    forEachChannelBlock(
        count,
        vector: { SIMD8<Float>(loadingFrom: source + $0).store(to: destination + $0) },
        scalar: { destination[$0] = source[$0] })
}

/// Sets `count` floats to zero, a vector at a time (see `copyFloats`).
@inline(__always)
func zeroFloats(_ count: Int, at destination: UnsafeMutablePointer<Float>) {
    forEachChannelBlock(
        count,
        vector: { SIMD8<Float>(repeating: 0).store(to: destination + $0) },
        scalar: { destination[$0] = 0 })
}

/// Adds `count` floats from `source` onto `destination`, a vector at a time (see `copyFloats`).
@inline(__always)
func addFloats(_ count: Int, from source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>) {
    forEachChannelBlock(
        count,
        vector: { SIMD8<Float>.add(SIMD8<Float>(loadingFrom: source + $0), to: destination + $0) },
        scalar: { destination[$0] += source[$0] })
}

/// Eight adjacent channels, the direct kernels' usual block.
extension SIMD8: ChannelLanes where Scalar == Float {}

// Written on the concrete SIMD8<Float>, `.>` and `replace(with:where:)` compile to a vector
// compare and blend. Written once for every `SIMD` with Float lanes (as the loads above are),
// they went lane by lane through the generic SIMD code: max pooling's forward was 20 to 35
// times slower than this (`bstrain bench --ops`).
extension SIMD8: MaximumLanes where Scalar == Float {
    @inline(__always)
    mutating func keepMaximum(_ candidate: Self, index: Float, winner: inout Self) {
        let larger = candidate .> self
        self.replace(with: candidate, where: larger)
        winner.replace(with: index, where: larger)
    }
}

/// Four adjacent channels, for kernels that keep many lane values live at once (depthwise
/// backward): sixteen SSE registers hold them as SIMD4 but not as SIMD8. Also half of an
/// interleaved SIMD8, for the channel shuffle.
extension SIMD4: ChannelLanes where Scalar == Float {}

/// One implementation for every vector width.
extension ChannelLanes where Self: SIMD, Scalar == Float {
    @inline(__always)
    init(loadingFrom pointer: UnsafePointer<Float>) {
        self = UnsafeRawPointer(pointer).loadUnaligned(as: Self.self)
    }

    @inline(__always)
    func store(to pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: self, as: Self.self)
    }
}

extension Float: ChannelLanes {
    @inline(__always)
    init(repeating value: Float) { self = value }

    @inline(__always)
    init(loadingFrom pointer: UnsafePointer<Float>) { self = pointer.pointee }

    @inline(__always)
    func store(to pointer: UnsafeMutablePointer<Float>) { pointer.pointee = self }
}

extension Float: MaximumLanes {
    @inline(__always)
    mutating func keepMaximum(_ candidate: Float, index: Float, winner: inout Float) {
        if candidate > self {
            self = candidate
            winner = index
        }
    }
}

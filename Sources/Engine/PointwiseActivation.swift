/// An activation function written once over eight lanes, so that an operation can apply it
/// inside its own vector loop (batch normalisation fuses it) instead of in a pass of its own
/// over memory. `ActivationFunction.run(_:)` picks the type for a runtime value once per
/// call, and the generic loops are specialised per function.
protocol PointwiseActivation {
    static func value(_ x: SIMD8<Float>) -> SIMD8<Float>
    /// dL/dx from dL/dy at x. Derivatives at the kinks follow PyTorch: relu'(0) = 0; relu6
    /// and hardSigmoid pass the gradient only inside the open interval; hardSwish' is
    /// (2x+3)/6 on the closed [-3, 3].
    static func gradient(_ dy: SIMD8<Float>, at x: SIMD8<Float>) -> SIMD8<Float>
    /// True for `Identity` alone, so kernels can skip work that only an activation needs.
    static var isIdentity: Bool { get }
}

extension PointwiseActivation {
    static var isIdentity: Bool { false }
}

/// Code generic over the activation, run by `ActivationFunction.run(_:)` with the type that
/// implements it (Swift closures cannot be generic, so this takes their place).
protocol PointwiseKernel {
    func callAsFunction<Function: PointwiseActivation>(_ function: Function.Type)
}

extension Optional where Wrapped == ActivationFunction {
    /// Runs `kernel` with the lanes implementation of this function, `Identity` for none.
    @inline(__always)
    func run(_ kernel: some PointwiseKernel) {
        switch self {
        case nil: kernel(Identity.self)
        case .relu: kernel(ReLU.self)
        case .relu6: kernel(ReLU6.self)
        case .hardSwish: kernel(HardSwish.self)
        case .hardSigmoid: kernel(HardSigmoid.self)
        case .silu: kernel(SiLU.self)
        case .sigmoid: kernel(Sigmoid.self)
        }
    }
}

/// Lanes an activation can be applied to: eight at once, or a single leftover channel.
protocol ActivationLanes: ChannelLanes {
    func activated<Function: PointwiseActivation>(by _: Function.Type) -> Self
    func activationGradient<Function: PointwiseActivation>(by _: Function.Type, at x: Self) -> Self
}

extension SIMD8: ActivationLanes where Scalar == Float {
    @inline(__always)
    func activated<Function: PointwiseActivation>(by _: Function.Type) -> Self { Function.value(self) }

    @inline(__always)
    func activationGradient<Function: PointwiseActivation>(by _: Function.Type, at x: Self) -> Self {
        Function.gradient(self, at: x)
    }
}

extension Float: ActivationLanes {
    // A leftover channel goes through the vector code in lane 0: one implementation per
    // function, at the cost of a few wasted lanes on at most seven channels a row.
    @inline(__always)
    func activated<Function: PointwiseActivation>(by _: Function.Type) -> Float {
        Function.value(SIMD8(repeating: self))[0]
    }

    @inline(__always)
    func activationGradient<Function: PointwiseActivation>(by _: Function.Type, at x: Float) -> Float {
        Function.gradient(SIMD8(repeating: self), at: SIMD8(repeating: x))[0]
    }
}

/// No activation: plain batch normalisation runs the fused code with this.
enum Identity: PointwiseActivation {
    static var isIdentity: Bool { true }
    @inline(__always) static func value(_ x: SIMD8<Float>) -> SIMD8<Float> { x }
    @inline(__always) static func gradient(_ dy: SIMD8<Float>, at x: SIMD8<Float>) -> SIMD8<Float> { dy }
}

enum ReLU: PointwiseActivation {
    @inline(__always) static func value(_ x: SIMD8<Float>) -> SIMD8<Float> { x.clamped(below: 0) }
    @inline(__always) static func gradient(_ dy: SIMD8<Float>, at x: SIMD8<Float>) -> SIMD8<Float> {
        dy.replacing(with: 0, where: .!(x .> 0))
    }
}

enum ReLU6: PointwiseActivation {
    @inline(__always) static func value(_ x: SIMD8<Float>) -> SIMD8<Float> {
        x.clamped(below: 0, above: 6)
    }
    @inline(__always) static func gradient(_ dy: SIMD8<Float>, at x: SIMD8<Float>) -> SIMD8<Float> {
        dy.replacing(with: 0, where: .!(x .> 0 .& x .< 6))
    }
}

extension SIMD8 where Scalar == Float {
    /// The lanes limited to [low, high] by selects: the standard library's `pointwiseMin` and
    /// `pointwiseMax` are not inlined and cost a call per vector.
    @inline(__always)
    fileprivate func clamped(below low: Float, above high: Float = .infinity) -> Self {
        var result = self
        result.replace(with: low, where: self .< low)
        result.replace(with: high, where: self .> high)
        return result
    }
}

/// Multiplying by 1/6 instead of dividing by 6 (at most one rounding apart) keeps a vector
/// division out of the loops, which would cost more than the memory traffic.
private let sixth: Float = 1 / 6

/// x·relu6(x+3)/6.
enum HardSwish: PointwiseActivation {
    @inline(__always) static func value(_ x: SIMD8<Float>) -> SIMD8<Float> { x * HardSigmoid.value(x) }
    @inline(__always) static func gradient(_ dy: SIMD8<Float>, at x: SIMD8<Float>) -> SIMD8<Float> {
        var slope = (2 * x + 3) * sixth
        slope.replace(with: 1, where: x .> 3)
        slope.replace(with: 0, where: .!(x .>= -3))
        return dy * slope
    }
}

/// relu6(x+3)/6.
enum HardSigmoid: PointwiseActivation {
    @inline(__always) static func value(_ x: SIMD8<Float>) -> SIMD8<Float> {
        (x + 3).clamped(below: 0, above: 6) * sixth
    }
    @inline(__always) static func gradient(_ dy: SIMD8<Float>, at x: SIMD8<Float>) -> SIMD8<Float> {
        (dy * sixth).replacing(with: 0, where: .!(x .> -3 .& x .< 3))
    }
}

/// x·sigmoid(x), also called swish.
enum SiLU: PointwiseActivation {
    @inline(__always) static func value(_ x: SIMD8<Float>) -> SIMD8<Float> { x / (1 + exponential(-x)) }
    @inline(__always) static func gradient(_ dy: SIMD8<Float>, at x: SIMD8<Float>) -> SIMD8<Float> {
        let sigmoid = 1 / (1 + exponential(-x))
        return dy * sigmoid * (1 + x * (1 - sigmoid))
    }
}

enum Sigmoid: PointwiseActivation {
    @inline(__always) static func value(_ x: SIMD8<Float>) -> SIMD8<Float> { 1 / (1 + exponential(-x)) }
    @inline(__always) static func gradient(_ dy: SIMD8<Float>, at x: SIMD8<Float>) -> SIMD8<Float> {
        let sigmoid = value(x)
        return dy * sigmoid * (1 - sigmoid)
    }
}

/// e^x by Cephes' expf: x = n·ln 2 + r with |r| ≤ ln 2 / 2, e^r by a degree-6 polynomial,
/// 2^n written into the exponent bits. Relative error below 1e-7 over the clamped range
/// [-87.3, 88] (where e^x is a normal float); branch-free, where libm's expf is one call per
/// element.
@inline(__always)
private func exponential(_ x: SIMD8<Float>) -> SIMD8<Float> {
    let x = x.clamped(below: -87.3, above: 88)
    // Adding 1.5·2^23 rounds x/ln 2 to an integer n, held in the low mantissa bits.
    let shifted = x * 1.442_695_04 + 12_582_912
    let n = shifted - 12_582_912
    let r = x - n * 0.693_359_375 + n * 2.121_944_4e-4   // ln 2 in two parts, for an exact n·ln 2
    var p = SIMD8<Float>(repeating: 1.987_569_15e-4)
    p = p * r + 1.398_199_95e-3
    p = p * r + 8.333_451_9e-3
    p = p * r + 4.166_579_59e-2
    p = p * r + 1.666_666_55e-1
    p = p * r + 5.000_000_12e-1
    p = p * r * r + r + 1
    let exponentBits = (unsafeBitCast(shifted, to: SIMD8<UInt32>.self) &- 0x4B40_0000 &+ 127) &<< 23
    return p * unsafeBitCast(exponentBits, to: SIMD8<Float>.self)
}

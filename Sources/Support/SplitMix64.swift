import Foundation

/// SplitMix64: a small, fast, seedable generator. Every random draw in bstrain comes from one
/// of these, seeded from a key, so runs are reproducible and independent of thread and rank count.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    @inlinable
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A seed derived from several keys (seed, epoch, sample index, ...), well mixed so
    /// neighbouring keys give unrelated streams.
    @inlinable
    public static func key(_ parts: UInt64...) -> UInt64 {
        var mixer = KeyMixer()
        for part in parts { mixer.absorb(part) }
        return mixer.value
    }

    /// `key(_:...)` of three parts without building an array (debug builds allocate one for a
    /// variadic call), for use inside the training step.
    @inlinable
    public static func key(_ first: UInt64, _ second: UInt64, _ third: UInt64) -> UInt64 {
        var mixer = KeyMixer()
        mixer.absorb(first)
        mixer.absorb(second)
        mixer.absorb(third)
        return mixer.value
    }

    /// Uniform in [0, 1).
    @inlinable
    public mutating func nextUniform() -> Float {
        Float(next() >> 40) * (1.0 / Float(1 << 24))
    }

    /// Standard normal, by Box-Muller.
    @inlinable
    public mutating func nextNormal() -> Float {
        let u1 = max(Double(next() >> 11) * (1.0 / Double(1 << 53)), 1e-300)
        let u2 = Double(next() >> 11) * (1.0 / Double(1 << 53))
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }
}

/// Folds keys one at a time into a SplitMix64 stream; `SplitMix64.key` is built on it.
@usableFromInline
struct KeyMixer {
    @usableFromInline var generator = SplitMix64(seed: 0x6A09_E667_F3BC_C909)
    @usableFromInline var value: UInt64 = 0

    @inlinable init() {}

    @inlinable
    mutating func absorb(_ part: UInt64) {
        generator.state ^= part &+ value
        value = generator.next()
    }
}

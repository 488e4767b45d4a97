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
        var generator = SplitMix64(seed: 0x6A09_E667_F3BC_C909)
        var mixed: UInt64 = 0
        for part in parts {
            generator.state ^= part &+ mixed
            mixed = generator.next()
        }
        return mixed
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


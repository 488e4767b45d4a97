import Support

extension SplitMix64 {
    /// Uniform in `0..<bound`, by the multiply-shift map (bias below 2^-50 for the sizes
    /// used here); written out rather than `Int.random(in:using:)` so the draws cannot change
    /// with the standard library's algorithm, which every rank and machine must share.
    mutating func nextIndex(below bound: Int) -> Int {
        precondition(bound > 0)
        return Int(next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// Fisher-Yates shuffle in place.
    mutating func shuffle<Element>(_ elements: inout [Element]) {
        guard elements.count > 1 else { return }
        for index in stride(from: elements.count - 1, to: 0, by: -1) {
            elements.swapAt(index, nextIndex(below: index + 1))
        }
    }
}

@testable import Data
import Support
import Testing

@Suite struct SplitMix64SamplingTests {
    @Test func indicesStayBelowTheBoundAndCoverIt() {
        var generator = SplitMix64(seed: 1)
        let draws = (0..<1000).map { _ in generator.nextIndex(below: 7) }
        #expect(Set(draws) == Set(0..<7))
    }

    @Test func shuffleIsASeededPermutation() {
        var first = SplitMix64(seed: 3)
        var second = SplitMix64(seed: 3)
        var a = Array(0..<50)
        var b = Array(0..<50)
        first.shuffle(&a)
        second.shuffle(&b)
        #expect(a == b && a != Array(0..<50) && a.sorted() == Array(0..<50))
    }
}

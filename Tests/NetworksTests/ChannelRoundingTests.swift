@testable import Networks
import Testing

@Suite struct ChannelRoundingTests {
    // Values from torchvision's _make_divisible(v, 8).
    @Test func roundsToNearestMultipleOfEightAsTorchvision() {
        #expect(makeDivisible(4) == 8)      // never below the divisor
        #expect(makeDivisible(16) == 16)
        #expect(makeDivisible(30) == 32)    // 120 // 4 in MobileNet-V3's SE
        #expect(makeDivisible(60) == 64)    // 240 // 4
        #expect(makeDivisible(36) == 40)    // 144 // 4
        #expect(makeDivisible(20) == 24)    // rounds half up
        #expect(makeDivisible(67) == 64)
        #expect(makeDivisible(11.2) == 16)  // 8 would lose more than 10%
    }
}

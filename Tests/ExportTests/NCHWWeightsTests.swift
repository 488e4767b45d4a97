@testable import Export
import Testing

@Suite struct NCHWWeightsTests {
    @Test func aTwoByTwoKernelOfTwoInputsMovesEachInputsPlaneTogether() {
        // One output, a 2x2 kernel, 2 inputs; OHWI lists each cell's two inputs side by side:
        // cell (0,0): 1, 2; (0,1): 3, 4; (1,0): 5, 6; (1,1): 7, 8.
        let ohwi: [Float] = [1, 2, 3, 4, 5, 6, 7, 8]
        // OIHW lists input 0's plane, then input 1's.
        #expect(NCHWWeights.fromOHWI(ohwi, outputs: 1, height: 2, width: 2, inputs: 2) == [1, 3, 5, 7, 2, 4, 6, 8])
    }

    @Test func outputsStayInOrderAndAOneByOneKernelIsUnchanged() {
        let ohwi: [Float] = [1, 2, 3, 4, 5, 6]   // 2 outputs x 1 x 1 x 3 inputs
        #expect(NCHWWeights.fromOHWI(ohwi, outputs: 2, height: 1, width: 1, inputs: 3) == ohwi)
    }

    @Test func aKernelOfOneInputIsUnchanged() {
        // A depthwise convolution's weight, [channels, kh, kw, 1]: OHWI and OIHW coincide.
        let ohwi: [Float] = (0..<18).map(Float.init)
        #expect(NCHWWeights.fromOHWI(ohwi, outputs: 2, height: 3, width: 3, inputs: 1) == ohwi)
    }
}

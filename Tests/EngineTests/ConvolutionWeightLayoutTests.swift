import Engine
import Testing

@Suite struct ConvolutionWeightLayoutTests {
    @Test func aTwoByTwoKernelOfTwoInputsMovesEachInputsPlaneTogether() {
        // One output, a 2x2 kernel, 2 inputs; OHWI lists each cell's two inputs side by side:
        // cell (0,0): 1, 2; (0,1): 3, 4; (1,0): 5, 6; (1,1): 7, 8.
        let ohwi: [Float] = [1, 2, 3, 4, 5, 6, 7, 8]
        // OIHW lists input 0's plane, then input 1's.
        #expect(ConvolutionWeightLayout.oihw(fromOHWI: ohwi, outputs: 1, height: 2, width: 2, inputs: 2) == [1, 3, 5, 7, 2, 4, 6, 8])
    }

    @Test func outputsStayInOrderAndAOneByOneKernelIsUnchanged() {
        let ohwi: [Float] = [1, 2, 3, 4, 5, 6]   // 2 outputs x 1 x 1 x 3 inputs
        #expect(ConvolutionWeightLayout.oihw(fromOHWI: ohwi, outputs: 2, height: 1, width: 1, inputs: 3) == ohwi)
    }

    @Test func aKernelOfOneInputIsUnchanged() {
        // A depthwise convolution's weight, [channels, kh, kw, 1]: OHWI and OIHW coincide.
        let ohwi: [Float] = (0..<18).map(Float.init)
        #expect(ConvolutionWeightLayout.oihw(fromOHWI: ohwi, outputs: 2, height: 3, width: 3, inputs: 1) == ohwi)
    }

    @Test func fromOIHWIsTheInverse() {
        // [out 1, in 2, kh 1, kw 2]: w[0, i, 0, x] = 10·i + x, to OHWI.
        #expect(ConvolutionWeightLayout.ohwi(fromOIHW: [0, 1, 10, 11], outputs: 1, inputs: 2, height: 1, width: 2) == [0, 10, 1, 11])
        let ohwi: [Float] = (0..<24).map(Float.init)
        let oihw = ConvolutionWeightLayout.oihw(fromOHWI: ohwi, outputs: 2, height: 2, width: 3, inputs: 2)
        #expect(ConvolutionWeightLayout.ohwi(fromOIHW: oihw, outputs: 2, inputs: 2, height: 2, width: 3) == ohwi)
    }
}

import Testing
@testable import Training

@Suite struct ConfigurationFileBoundsTests {
    func firstLine(_ text: String, deeperThan limit: Int) -> Int? {
        ConfigurationFileBounds.firstLine(in: text, nestedDeeperThan: limit)
    }

    @Test func aFlatConfigurationIsOneLevelDeep() {
        #expect(firstLine("train: data\nepochs: 3\n", deeperThan: 1) == nil)
        #expect(firstLine("train: data\nepochs: 3\n", deeperThan: 0) == 1)
    }

    @Test func eachIndentationColumnCountsTwoLevels() {
        // A list under a key may start in the key's own column: two levels per column.
        #expect(firstLine("a:\n  b:\n    c: 1\n", deeperThan: 8) == 3)
        #expect(firstLine("a:\n  b:\n    c: 1\n", deeperThan: 9) == nil)
        #expect(firstLine("- - - x", deeperThan: 12) == 1)
        #expect(firstLine("- - - x", deeperThan: 13) == nil)
    }

    @Test func bracketsCountOneLevelEachAndClosingOnesGiveItBack() {
        #expect(firstLine("a: [[1], [2]]\nb: [3]\n", deeperThan: 2) == 1)
        #expect(firstLine("a: [[1], [2]]\nb: [3]\n", deeperThan: 3) == nil)
        #expect(firstLine("a: [[1], [2]]\nb: [3]\nc: [[[4]]]", deeperThan: 3) == 3)
    }

    @Test func closingBracketsAfterAQuoteAreNotTrusted() {
        // `]` inside a quoted scalar is text; the scan cannot tell, so it stops giving levels back.
        #expect(firstLine("a: [\"]]]\", [[x]]]\n", deeperThan: 3) == 1)
        #expect(firstLine("a: [\"]]]\", [[x]]]\n", deeperThan: 4) == nil)
        #expect(firstLine("# ]]]\na: [[[x]]]\nb: [[[y]]]\n", deeperThan: 6) == 3)
    }

    @Test func everyYAMLLineBreakStartsALineAndCRLFIsOne() {
        #expect(firstLine("a: 1\r\nb: 2\r  c: 3", deeperThan: 4) == 3)
        #expect(firstLine("a: 1\u{2028}   c", deeperThan: 6) == 2)
    }
}

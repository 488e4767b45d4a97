@testable import Data
import Testing

@Suite struct CSVTests {
    @Test func fieldsWithSeparatorsQuotesAndBreaksRoundTrip() {
        let rows = [["path", "class", "group"], ["a,b.jpg", "say \"hi\"", "1"], ["line\nbreak", "", "x"]]
        let text = rows.map(CSV.line).joined()
        #expect(text.hasPrefix("path,class,group\n\"a,b.jpg\",\"say \"\"hi\"\"\",1\n"))
        #expect(CSV.rows(text) == rows)
    }

    @Test func windowsLineEndsAndAMissingFinalBreakAreRead() {
        #expect(CSV.rows("a,b\r\nc,d") == [["a", "b"], ["c", "d"]])
        #expect(CSV.rows("") == [])
    }
}

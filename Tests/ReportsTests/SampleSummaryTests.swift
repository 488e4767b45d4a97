import Testing
@testable import Reports

@Suite struct SampleSummaryTests {
    @Test func meanAndSampleStandardDeviationDivideByNMinusOne() throws {
        // Sum of squared deviations from the mean 5 is 32; 32 / 7 is the sample variance.
        let summary = try #require(SampleSummary([2, 4, 4, 4, 5, 5, 7, 9]))
        #expect(summary.mean == 5)
        #expect(abs(summary.standardDeviation! - (32.0 / 7).squareRoot()) < 1e-15)
        #expect(summary.count == 8)
    }

    @Test func oneValueHasNoSpreadAndNoValueNoSummary() {
        #expect(SampleSummary([0.25])?.standardDeviation == nil)
        #expect(SampleSummary([0.25])?.mean == 0.25)
        #expect(SampleSummary([]) == nil)
    }
}

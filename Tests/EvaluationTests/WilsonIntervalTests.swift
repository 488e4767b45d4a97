import Testing
@testable import Evaluation

struct WilsonCase: Decodable, CustomTestStringConvertible {
    let successes: Int
    let trials: Int
    let interval: [Double]
    var testDescription: String { "\(successes) of \(trials)" }
}

@Suite struct WilsonIntervalTests {
    @Test(arguments: loadEvidenceCases("wilson.json", as: WilsonCase.self))
    func matchesTheNumPyClosedForm(_ fixture: WilsonCase) throws {
        let interval = try #require(ConfidenceInterval.wilson(successes: fixture.successes, trials: fixture.trials))
        #expect(isClose(interval.lower, fixture.interval[0], tolerance: 1e-12))
        #expect(isClose(interval.upper, fixture.interval[1], tolerance: 1e-12))
    }

    /// At 0 and n successes the Wilson bounds reduce to z²/(n + z²) and n/(n + z²); the Wald
    /// interval would be the single point 0 or 1.
    @Test func extremeCountsKeepAnIntervalOfPositiveWidth() throws {
        let z2 = NormalDistribution.quantile975 * NormalDistribution.quantile975
        let none = try #require(ConfidenceInterval.wilson(successes: 0, trials: 10))
        #expect(isClose(none.lower, 0, tolerance: 1e-12) && isClose(none.upper, z2 / (10 + z2), tolerance: 1e-12))
        let all = try #require(ConfidenceInterval.wilson(successes: 10, trials: 10))
        #expect(isClose(all.upper, 1, tolerance: 1e-12) && isClose(all.lower, 10 / (10 + z2), tolerance: 1e-12))
    }

    @Test func noTrialsHaveNoInterval() {
        #expect(ConfidenceInterval.wilson(successes: 0, trials: 0) == nil)
    }
}

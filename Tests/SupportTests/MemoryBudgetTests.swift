import Testing
import Support

@Suite struct MemoryBudgetTests {
    @Test func aRequestWithinTheBudgetPasses() throws {
        try MemoryBudget(availableBytes: 1_000_000_000).check(999_000_000, for: "the cache", advice: "use fewer images")
    }

    @Test func aRequestOverTheBudgetIsRefusedWithBothFigures() {
        let budget = MemoryBudget(availableBytes: 24_000_000_000)
        #expect(throws: MemoryBudgetError.self) { try budget.check(160_000_000_000, for: "the similarity matrix", advice: "use fewer rows") }
        do {
            try budget.check(160_000_000_000, for: "the similarity matrix", advice: "use fewer rows")
        } catch {
            #expect(error.description == "the similarity matrix needs 160.0 GB of memory, but this machine has 24.0 GB available; use fewer rows")
        }
    }

    @Test func anOverflowingProductIsNilAndRefused() {
        #expect(MemoryBudget.product(1 << 40, 1 << 30) == nil)
        #expect(MemoryBudget.product(3, -1) == nil)
        #expect(MemoryBudget.product(36, 128, 128, 4) == 2_359_296)
        #expect(throws: MemoryBudgetError.self) { try MemoryBudget(availableBytes: .max).check(nil, for: "x", advice: "y") }
    }

    @Test func thisMachineReportsSomeMemory() {
        #expect(MemoryBudget.current.availableBytes > 0)
    }
}

@testable import Data
import Testing

@Suite struct ClusterBatchSamplerTests {
    /// 100 images: class 0 in groups of 50 and 10, class 1 in groups of 37 and 3.
    static let labels = (0..<100).map { $0 < 60 ? 0 : 1 }
    static let assignment = ClusterAssignment(
        groupsPerClass: [2, 2], groups: (0..<100).map { $0 < 50 ? 0 : $0 < 60 ? 1 : $0 < 97 ? 0 : 1 })
    static let groupOf = (0..<100).map { $0 < 50 ? 0 : $0 < 60 ? 1 : $0 < 97 ? 2 : 3 }

    func sampler(_ mode: BatchMode, batch: Int = 12, iterations: Int? = nil, seed: UInt64 = 1) throws -> ClusterBatchSampler {
        try ClusterBatchSampler(
            assignment: Self.assignment, labels: Self.labels, batchSize: batch, mode: mode, seed: seed,
            iterationsPerEpoch: iterations)
    }

    func groupShares(_ plan: [[Int]]) -> [Double] {
        var counts = [Double](repeating: 0, count: 4)
        for batch in plan { for sample in batch { counts[Self.groupOf[sample]] += 1 } }
        let total = counts.reduce(0, +)
        return counts.map { $0 / total }
    }

    @Test func ratioModeDrawsGroupsInProportionToTheirSize() throws {
        let sampler = try sampler(.ratio, iterations: 400)
        #expect(sampler.expectedCounts.map { ($0 * 100).rounded() / 100 } == [6, 1.2, 4.44, 0.36])
        let plan = sampler.plan(epoch: 0)
        #expect(plan.allSatisfy { $0.count == 12 })
        let shares = groupShares(plan)
        for (share, expected) in zip(shares, [0.5, 0.1, 0.37, 0.03]) { #expect(abs(share - expected) < 0.01) }
        // Every batch rounds the expected counts down or up, never further.
        for (iteration, _) in plan.enumerated() {
            let counts = sampler.counts(epoch: 0, iteration: iteration)
            #expect(zip(counts, sampler.expectedCounts).allSatisfy { Double($0) >= $1.rounded(.down) && Double($0) <= $1.rounded(.up) })
        }
    }

    @Test func balancedModeDrawsEqualCounts() throws {
        let sampler = try sampler(.balanced, iterations: 200)
        #expect(sampler.counts(epoch: 3, iteration: 5) == [3, 3, 3, 3])
        let shares = groupShares(sampler.plan(epoch: 3))
        #expect(shares.allSatisfy { abs($0 - 0.25) < 1e-9 })
        let uneven = try self.sampler(.balanced, batch: 10, iterations: 400)
        #expect(groupShares(uneven.plan(epoch: 0)).allSatisfy { abs($0 - 0.25) < 0.01 })
    }

    @Test func classBalancedModeDrawsClassesEquallyAndGroupsByTheirSizeWithinAClass() throws {
        // Class 0 (60 images: groups of 50 and 10) and class 1 (40: 37 and 3) get half each.
        let sampler = try sampler(.classBalanced, iterations: 400)
        #expect(sampler.shares.map { ($0 * 10_000).rounded() / 10_000 } == [0.4167, 0.0833, 0.4625, 0.0375])
        let plan = sampler.plan(epoch: 0)
        #expect(plan.allSatisfy { $0.count == 12 })
        let shares = groupShares(plan)
        #expect(abs(shares[0] + shares[1] - 0.5) < 0.005)
        for (share, expected) in zip(shares, sampler.shares) { #expect(abs(share - expected) < 0.01) }
        // Every batch holds 6 of each class: both classes' expected counts are whole.
        #expect(plan.allSatisfy { batch in batch.count { Self.labels[$0] == 0 } == 6 })
    }

    @Test func balancedModeBalancesClassesOnlyWhenTheyHaveAsManyGroups() throws {
        let uneven = try ClusterBatchSampler(
            assignment: ClusterAssignment(groupsPerClass: [1, 3], groups: (0..<100).map { $0 < 60 ? 0 : $0 % 3 }),
            labels: Self.labels, batchSize: 12, mode: .balanced, seed: 1)
        #expect(uneven.shares == [0.25, 0.25, 0.25, 0.25])
        let evenClasses = try ClusterBatchSampler(
            assignment: ClusterAssignment(groupsPerClass: [1, 3], groups: (0..<100).map { $0 < 60 ? 0 : $0 % 3 }),
            labels: Self.labels, batchSize: 12, mode: .classBalanced, seed: 1)
        #expect(abs(evenClasses.shares[0] - 0.5) < 1e-12)
        #expect(abs(evenClasses.shares[1...].reduce(0, +) - 0.5) < 1e-12)
    }

    @Test func randomModeVisitsEverySampleOncePerEpoch() throws {
        let sampler = try sampler(.random, batch: 10)
        #expect(sampler.iterationsPerEpoch == 10)
        let plan = sampler.plan(epoch: 4)
        #expect(plan.flatMap { $0 }.sorted() == Array(0..<100))
        #expect(plan != sampler.plan(epoch: 5))
    }

    @Test func iterationsPerEpochDefaultsToCoveringTheSet() throws {
        #expect(try sampler(.ratio, batch: 36).iterationsPerEpoch == 3)
        #expect(try sampler(.ratio, batch: 36).plan(epoch: 0).map(\.count) == [36, 36, 36])
    }

    @Test func groupsAreDrawnWithoutReplacementUntilUsedUp() throws {
        let plan = try sampler(.ratio, iterations: 8).plan(epoch: 2)
        let drawn = plan.flatMap { $0 }.filter { Self.groupOf[$0] == 0 }
        #expect(drawn.count == 48)
        #expect(Set(drawn).count == 48)  // 48 of the group's 50: no repeat yet
        // Group 3 (3 members) gets at most one place a batch, so batch order is its draw order.
        let small = try sampler(.ratio, iterations: 40).plan(epoch: 2).flatMap { $0 }.filter { Self.groupOf[$0] == 3 }
        #expect(small.count >= 6)
        #expect(Set(small.prefix(3)).count == 3 && Set(small[3..<6]).count == 3)  // each member once per round
    }

    @Test func planIsAPureFunctionOfSeedAndEpoch() throws {
        let first = try sampler(.ratio, iterations: 20)
        let second = try sampler(.ratio, iterations: 20)
        #expect(first.plan(epoch: 7) == second.plan(epoch: 7))
        #expect(first.plan(epoch: 7) != first.plan(epoch: 8))
        #expect(first.plan(epoch: 7) != (try sampler(.ratio, iterations: 20, seed: 2)).plan(epoch: 7))
    }

    @Test func batchOfOneIsRefused() {
        #expect(throws: DatasetError.self) { try sampler(.ratio, batch: 1) }
    }
}

@testable import Data
import Support
import Foundation
import Testing

@Suite struct KMeansTests {
    /// Three well separated 2-D blobs of 30 points each, points interleaved.
    static let blobs: [Float] = {
        var generator = SplitMix64(seed: 4)
        let centres: [(Float, Float)] = [(0, 0), (10, 0), (0, 10)]
        return (0..<90).flatMap { index -> [Float] in
            let centre = centres[index % 3]
            return [centre.0 + generator.nextNormal(), centre.1 + generator.nextNormal()]
        }
    }()

    @Test func findsSeparatedBlobs() {
        let result = KMeans(clusterCount: 3, seed: 1).fit(Self.blobs, dimension: 2)
        for blob in 0..<3 {
            let clusters = Set(stride(from: blob, to: 90, by: 3).map { result.assignments[$0] })
            #expect(clusters.count == 1)
        }
        #expect(Set(result.assignments).count == 3)
        #expect(result.iterations < 100)
    }

    @Test func sameSeedSameResult() {
        let first = KMeans(clusterCount: 4, seed: 7).fit(Self.blobs, dimension: 2)
        #expect(first == KMeans(clusterCount: 4, seed: 7).fit(Self.blobs, dimension: 2))
    }

    @Test func identicalPointsStillGiveKClusters() {
        let points: [Float] = Array(repeating: 1, count: 10) + [5, 5, 9, 9]
        let result = KMeans(clusterCount: 3, seed: 2).fit(points, dimension: 2)
        #expect(Set(result.assignments).count == 3)
    }

    /// Two simulated ranks, each assigning half the points and summing through a shared
    /// barrier, reach the single-process clustering.
    @Test func splittingTheAssignmentAcrossRanksGivesTheSameClusters() {
        let reducer = BarrierSum(parties: 2)
        let results = Results()
        let finished = DispatchGroup()
        for rank in 0..<2 {
            let reduction = KMeansReduction(
                share: { count in (count * rank / 2)..<(count * (rank + 1) / 2) },
                sum: { values in values = reducer.sum(values) })
            finished.enter()
            // Real threads, not tasks: the barrier blocks, which the cooperative pool must not.
            Thread {
                results.set(rank, KMeans(clusterCount: 3, seed: 1).fit(Self.blobs, dimension: 2, reduction: reduction))
                finished.leave()
            }.start()
        }
        finished.wait()
        let single = KMeans(clusterCount: 3, seed: 1).fit(Self.blobs, dimension: 2)
        #expect(results.get(0)?.assignments == single.assignments)
        #expect(results.get(1)?.assignments == single.assignments)
    }
}

final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Int: KMeans.Result] = [:]
    func set(_ rank: Int, _ result: KMeans.Result) { lock.withLock { values[rank] = result } }
    func get(_ rank: Int) -> KMeans.Result? { lock.withLock { values[rank] } }
}

/// An all-reduce stand-in for tests: every party's array is summed and all get the total.
final class BarrierSum: @unchecked Sendable {
    let parties: Int
    let condition = NSCondition()
    var arrived = 0
    var generation = 0
    var total: [Double] = []
    var result: [Double] = []

    init(parties: Int) { self.parties = parties }

    func sum(_ values: [Double]) -> [Double] {
        condition.lock()
        defer { condition.unlock() }
        let myGeneration = generation
        total = arrived == 0 ? values : zip(total, values).map(+)
        arrived += 1
        if arrived == parties {
            result = total
            arrived = 0
            generation += 1
            condition.broadcast()
        } else {
            while generation == myGeneration { condition.wait() }
        }
        return result
    }
}

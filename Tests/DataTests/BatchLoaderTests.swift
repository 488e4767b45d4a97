@testable import Data
import Foundation
import Testing

@Suite struct BatchLoaderTests {
    let cache = Fixtures.cache(labels: (0..<20).map { $0 % 3 }, imageSize: 4, channels: 3)
    let plan = [[3, 1, 4, 1, 5], [9, 2, 6, 5, 3], [5, 8, 9, 7, 9], [0, 19]]

    /// All batches of an epoch as (inputs, labels), consumed with an optional pause per batch.
    func epoch(_ loader: BatchLoader, epoch: Int, pause: Double = 0) -> [([Float], [Int])] {
        loader.start(epoch: epoch, plan: plan)
        var input = [Float](repeating: 0, count: 5 * cache.pixelsPerImage)
        var labels: [Int] = []
        var batches: [([Float], [Int])] = []
        while let count = loader.next(into: &input, labels: &labels) {
            batches.append((Array(input.prefix(count * cache.pixelsPerImage)), labels))
            if pause > 0 { Thread.sleep(forTimeInterval: pause) }
        }
        return batches
    }

    @Test func batchesAreTheAugmentedSamplesOfThePlan() {
        let loader = BatchLoader(cache: cache, augmentation: .paper, seed: 5, maxBatchSize: 5)
        let batches = epoch(loader, epoch: 2)
        #expect(batches.count == plan.count)
        var offset = 0
        for (batch, (input, labels)) in zip(plan, batches) {
            #expect(labels == batch.map { $0 % 3 })
            var expected = [Float](repeating: 0, count: batch.count * cache.pixelsPerImage)
            for (position, sample) in batch.enumerated() {
                let transform = Augmentation.paper.transform(seed: 5, epoch: 2, sampleIndex: offset + position)
                expected.withUnsafeMutableBufferPointer {
                    cache.writeSample(sample, transform: transform, into: $0.baseAddress! + position * cache.pixelsPerImage)
                }
            }
            #expect(input == expected)
            offset += batch.count
        }
    }

    @Test func timingDoesNotChangeTheBatches() {
        let fast = epoch(BatchLoader(cache: cache, augmentation: .paper, seed: 5, maxBatchSize: 5, threads: 2), epoch: 1)
        let slow = epoch(BatchLoader(cache: cache, augmentation: .paper, seed: 5, maxBatchSize: 5), epoch: 1, pause: 0.01)
        #expect(fast.map(\.0) == slow.map(\.0) && fast.map(\.1) == slow.map(\.1))
    }

    @Test func rankSlicesConcatenateToTheSingleRankBatch() {
        let whole = epoch(BatchLoader(cache: cache, augmentation: .paper, seed: 9, maxBatchSize: 5), epoch: 0)
        let ranks = (0..<3).map { rank in
            epoch(BatchLoader(cache: cache, augmentation: .paper, seed: 9, maxBatchSize: 5, rank: rank, worldSize: 3), epoch: 0)
        }
        for iteration in plan.indices {
            #expect(ranks.flatMap { $0[iteration].0 } == whole[iteration].0)
            #expect(ranks.flatMap { $0[iteration].1 } == whole[iteration].1)
        }
    }

    @Test func restartingMidEpochDropsStaleBatches() {
        let loader = BatchLoader(cache: cache, augmentation: .paper, seed: 2, maxBatchSize: 5)
        loader.start(epoch: 0, plan: plan)
        var input = [Float](repeating: 0, count: 5 * cache.pixelsPerImage)
        var labels: [Int] = []
        _ = loader.next(into: &input, labels: &labels)
        let restarted = epoch(loader, epoch: 1)
        let fresh = epoch(BatchLoader(cache: cache, augmentation: .paper, seed: 2, maxBatchSize: 5), epoch: 1)
        #expect(restarted.map(\.0) == fresh.map(\.0))
    }

    @Test func slicesAreContiguousAndNearlyEven() {
        #expect((0..<4).map { BatchLoader.slice(ofBatch: 10, rank: $0, worldSize: 4) } == [0..<3, 3..<6, 6..<8, 8..<10])
        #expect(BatchLoader.slice(ofBatch: 36, rank: 0, worldSize: 1) == 0..<36)
    }

    @Test func evaluationPlanVisitsEverySampleOnceInOrder() {
        #expect(BatchLoader.evaluationPlan(count: 7, batchSize: 3) == [[0, 1, 2], [3, 4, 5], [6]])
        #expect(BatchLoader.evaluationPlan(count: 0, batchSize: 3).isEmpty)
    }
}

import Support
import Foundation

/// Prepares the next batches on a background thread while the current one trains.
///
/// Double buffered: the worker fills two slots in turn, at most two batches ahead of the
/// consumer. A batch's content depends only on the plan, the epoch, the seed and the rank's
/// slice, never on timing. After the first batch of an epoch nothing is allocated per batch.
///
/// Each rank converts only its slice of every global batch (`slice(ofBatch:rank:worldSize:)`).
/// A sample's augmentation is keyed by (seed, epoch, global sample index), where the global
/// sample index is the sample's position in the epoch's stream of drawn samples (batch start
/// offset + position in the global batch), so a sample drawn twice in an epoch gets two draws.
public final class BatchLoader {
    private let worker: Worker

    /// - Parameters:
    ///   - cache: the decoded split the plans index into.
    ///   - maxBatchSize: the largest global batch any plan will hold.
    ///   - threads: threads used to convert one batch (1 keeps the other cores for training).
    public init(
        cache: ImageCache, augmentation: AugmentationKind = .none, seed: UInt64, maxBatchSize: Int,
        rank: Int = 0, worldSize: Int = 1, threads: Int = 1
    ) {
        precondition(maxBatchSize > 0 && (0..<worldSize).contains(rank))
        worker = Worker(
            cache: cache, augmentation: augmentation, seed: seed, rank: rank, worldSize: worldSize,
            capacity: Self.slice(ofBatch: maxBatchSize, rank: rank, worldSize: worldSize).count, threads: threads)
        let worker = self.worker
        let thread = Thread { worker.run() }
        thread.name = "bstrain batch loader"
        thread.start()
    }

    deinit { worker.stop() }

    /// The positions of a global batch of `count` samples that `rank` of `worldSize` handles:
    /// `evenSlice`, the split the training step gathers embeddings and gradients by.
    public static func slice(ofBatch count: Int, rank: Int, worldSize: Int) -> Range<Int> {
        evenSlice(total: count, parts: worldSize, part: rank)
    }

    /// Every sample once, in order, in batches of `batchSize` (the last one shorter): the plan
    /// for evaluation.
    public static func evaluationPlan(count: Int, batchSize: Int) -> [[Int]] {
        stride(from: 0, to: count, by: batchSize).map { Array($0..<min($0 + batchSize, count)) }
    }

    /// Starts epoch `epoch` over `plan` (global sample indices per iteration), dropping
    /// whatever was prepared for an earlier epoch. A run resumed in the middle of an epoch
    /// passes the iteration it stopped at; samples keep the augmentation of their position
    /// in the whole plan.
    public func start(epoch: Int, plan: [[Int]], firstIteration: Int = 0) {
        worker.start(epoch: epoch, plan: plan, firstIteration: firstIteration)
    }

    /// Waits for the next batch of the epoch and writes this rank's slice of it into `input`
    /// as float NHWC (see `ImageCache.writeSample`) and its class indices into `labels`.
    /// Returns the number of samples written, or nil after the epoch's last batch.
    public func next(into input: UnsafeMutablePointer<Float>, labels: inout [Int]) -> Int? {
        worker.next(into: input, labels: &labels)
    }
}

/// One prepared batch: floats (count, size, size, channels) and labels.
private final class Slot {
    let input: UnsafeMutablePointer<Float>
    var labels: [Int] = []
    var count = 0
    /// The iteration it holds; `Slot.free` or `Slot.filling` otherwise.
    var iteration = Slot.free

    static let free = -1
    static let filling = -2

    init(capacity: Int) {
        input = .allocate(capacity: max(1, capacity))
        labels.reserveCapacity(capacity)
    }

    deinit { input.deallocate() }
}

/// The state shared by the consumer and the background thread; every field is guarded by
/// `condition`, except a slot's buffers while it is `filling` (worker's) or handed out
/// (consumer's).
private final class Worker: @unchecked Sendable {
    let cache: ImageCache
    let augmentation: AugmentationKind
    let seed: UInt64
    let rank: Int
    let worldSize: Int
    let threads: Int
    let slots: [Slot]
    let condition = NSCondition()
    var epoch = 0
    var plan: [[Int]] = []
    var planOffsets: [Int] = []  // global sample index of each batch's first sample
    var generation = 0
    var produced = 0
    var consumed = 0
    var stopping = false

    init(cache: ImageCache, augmentation: AugmentationKind, seed: UInt64, rank: Int, worldSize: Int, capacity: Int, threads: Int) {
        self.cache = cache
        self.augmentation = augmentation
        self.seed = seed
        self.rank = rank
        self.worldSize = worldSize
        self.threads = threads
        slots = (0..<2).map { _ in Slot(capacity: capacity * cache.pixelsPerImage) }
    }

    func start(epoch: Int, plan: [[Int]], firstIteration: Int) {
        precondition((0...plan.count).contains(firstIteration))
        condition.lock()
        defer { condition.unlock() }
        self.epoch = epoch
        self.plan = plan
        planOffsets = plan.reduce(into: [0]) { $0.append($0.last! + $1.count) }
        generation += 1
        produced = firstIteration
        consumed = firstIteration
        for slot in slots where slot.iteration != Slot.filling { slot.iteration = Slot.free }
        condition.broadcast()
    }

    func next(into input: UnsafeMutablePointer<Float>, labels: inout [Int]) -> Int? {
        condition.lock()
        guard consumed < plan.count else {
            condition.unlock()
            return nil
        }
        let slot = slots[consumed % 2]
        while slot.iteration != consumed { condition.wait() }
        condition.unlock()

        input.update(from: slot.input, count: slot.count * cache.pixelsPerImage)
        labels.removeAll(keepingCapacity: true)
        labels.append(contentsOf: slot.labels)
        let count = slot.count

        condition.lock()
        slot.iteration = Slot.free
        consumed += 1
        condition.broadcast()
        condition.unlock()
        return count
    }

    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    func run() {
        condition.lock()
        while !stopping {
            let slot = slots[produced % 2]
            guard produced < plan.count, slot.iteration == Slot.free else {
                condition.wait()
                continue
            }
            let job = (generation: generation, iteration: produced, epoch: epoch,
                       batch: plan[produced], offset: planOffsets[produced])
            slot.iteration = Slot.filling
            condition.unlock()
            fill(slot, batch: job.batch, epoch: job.epoch, offset: job.offset)
            condition.lock()
            if job.generation == generation {
                slot.iteration = job.iteration
                produced += 1
            } else {
                slot.iteration = Slot.free
            }
            condition.broadcast()
        }
        condition.unlock()
    }

    private func fill(_ slot: Slot, batch: [Int], epoch: Int, offset: Int) {
        let positions = BatchLoader.slice(ofBatch: batch.count, rank: rank, worldSize: worldSize)
        slot.count = positions.count
        slot.labels.removeAll(keepingCapacity: true)
        for position in positions { slot.labels.append(cache.folder.images[batch[position]].label) }
        let stride = cache.pixelsPerImage
        let base = slot.input
        parallelFor(positions.count, threads: threads) { range in
            for local in range {
                let position = positions.lowerBound + local
                self.augmentation.writeSample(
                    batch[position], of: self.cache, seed: self.seed, epoch: epoch, sampleIndex: offset + position,
                    into: base + local * stride)
            }
        }
    }
}

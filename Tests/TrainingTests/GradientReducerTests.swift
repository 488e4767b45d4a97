import Distributed
import Engine
import Networks
import Support
import Testing
@testable import Training

/// Two ranks of `tiny` in one process: rank 1's gradient is computed up front, and rank 0 runs
/// backward with the reducer over a communicator that sums rank 1's gradient into each bucket.
@Suite struct GradientReducerTests {
    @Test func bucketsCoverTheArenaOnceFromItsEnd() {
        #expect(GradientReducer.buckets(arenaCount: 10, bucketFloats: 4) == [6..<10, 2..<6, 0..<2])
        #expect(GradientReducer.buckets(arenaCount: 8, bucketFloats: 4) == [4..<8, 0..<4])
        #expect(GradientReducer.buckets(arenaCount: 8, bucketFloats: 100) == [0..<8])
        #expect(GradientReducer.buckets(arenaCount: 0, bucketFloats: 4).isEmpty)
    }

    @Test func everyGradientIsTheSumOfBothRanksReducedExactlyOnceInBucketsFromTheEnd() throws {
        let ranks = TwoRanks()
        let communicator = RecordingCommunicator(arena: ranks.rank0.executor.parameterGradients, partner: ranks.rank1Gradient)
        let reducer = GradientReducer(executor: ranks.rank0.executor, communicator: communicator, bucketFloats: 4096)
        try ranks.runRank0(with: reducer)

        let arenaCount = ranks.rank0.parameterCount
        #expect(communicator.started == GradientReducer.buckets(arenaCount: arenaCount, bucketFloats: 4096))
        #expect(communicator.started.count == (arenaCount + 4095) / 4096)
        #expect(communicator.started.first?.upperBound == arenaCount)
        #expect(communicator.reductionsPerElement.allSatisfy { $0 == 1 })
        // The sums equal rank 0's plain gradient plus rank 1's, so no bucket started before
        // backward had finished writing it (the sum is formed from the buffer at its start).
        let wrong = ranks.elementsNotSummed()
        #expect(wrong.isEmpty, "\(wrong.count) gradients are not the two ranks' sum, the first at \(wrong.prefix(5))")
    }

    @Test func bucketsStartWhileBackwardIsStillRunningAndAreTestedForProgress() throws {
        let ranks = TwoRanks()
        let communicator = RecordingCommunicator(arena: ranks.rank0.executor.parameterGradients, partner: ranks.rank1Gradient)
        let reducer = GradientReducer(executor: ranks.rank0.executor, communicator: communicator, bucketFloats: 1024)
        try ranks.runRank0(with: reducer)

        // When the first bucket (the arena's end) started, the first layer had no gradient yet.
        #expect(communicator.firstLayerUntouchedAtFirstStart)
        #expect(communicator.tests > 0)
    }

    @Test func aBucketLargerThanTheArenaDegeneratesToOneAllReduce() throws {
        let ranks = TwoRanks()
        let communicator = RecordingCommunicator(arena: ranks.rank0.executor.parameterGradients, partner: ranks.rank1Gradient)
        let reducer = GradientReducer(
            executor: ranks.rank0.executor, communicator: communicator, bucketFloats: ranks.rank0.parameterCount + 1000)
        try ranks.runRank0(with: reducer)

        #expect(communicator.started == [0..<ranks.rank0.parameterCount])
        #expect(communicator.reductionsPerElement.allSatisfy { $0 == 1 })
        #expect(ranks.elementsNotSummed().isEmpty)
    }

    @Test func theReducerOnlyStartsCollectivesInsideItsOwnBackward() throws {
        let ranks = TwoRanks()
        let communicator = RecordingCommunicator(arena: ranks.rank0.executor.parameterGradients, partner: ranks.rank1Gradient)
        let reducer = GradientReducer(executor: ranks.rank0.executor, communicator: communicator, bucketFloats: 1024)
        _ = ranks.backward(ranks.rank0, input: 0)
        #expect(communicator.started.isEmpty)
        withExtendedLifetime(reducer) {}
    }
}

/// Two replicas of `tiny` with the same weights and different inputs, and each one's plain
/// (unreduced) gradient.
private struct TwoRanks {
    let rank0: Model
    let rank1: Model
    var rank0Gradient: [Float] = []
    var rank1Gradient: [Float] = []

    init() {
        func replica() -> Model {
            let model = try! Model(kind: .tiny, imageSize: 32, channels: 1, classes: 2, batchCapacity: 2)
            model.executor.initializeParameters(seed: 7)
            return model
        }
        rank0 = replica()
        rank1 = replica()
        rank0Gradient = backward(rank0, input: 0)
        rank1Gradient = backward(rank1, input: 1)
    }

    /// Plain backward of a seeded input and output gradient; returns the parameter gradient.
    func backward(_ model: Model, input: UInt64) -> [Float] {
        prepare(model, input: input)
        model.executor.backward(context)
        return Array(model.executor.parameterGradients)
    }

    func runRank0(with reducer: GradientReducer) throws {
        prepare(rank0, input: 0)
        try reducer.backwardAndReduce(context)
    }

    /// Arena offsets where rank 0's gradient is not exactly its own plus rank 1's.
    func elementsNotSummed() -> [Int] {
        let reduced = rank0.executor.parameterGradients
        return reduced.indices.filter { reduced[$0] != rank0Gradient[$0] + rank1Gradient[$0] }
    }

    private var context: RunContext { RunContext(batch: 2, training: true, threads: 1) }

    private func prepare(_ model: Model, input: UInt64) {
        let executor = model.executor
        var generator = SplitMix64(seed: SplitMix64.key(input, 11))
        for index in 0..<(2 * 32 * 32) { executor.input[index] = generator.nextNormal() }
        executor.zeroGradients()
        executor.forward(context)
        for index in 0..<(2 * model.classCount) { executor.logitsGradient[index] = generator.nextNormal() }
    }
}

/// A communicator for rank 0 of two, whose partner's gradient is known. A bucket's sum is formed
/// from the buffer as it is when the bucket starts and written back on completion, as MPI's
/// non-blocking all-reduce does; it completes at its second test, so progress is needed.
private final class RecordingCommunicator: Communicator {
    let arena: UnsafeMutableBufferPointer<Float>
    let partner: [Float]
    private(set) var started: [Range<Int>] = []
    private(set) var reductionsPerElement: [Int]
    private(set) var tests = 0
    private(set) var firstLayerUntouchedAtFirstStart = false

    init(arena: UnsafeMutableBufferPointer<Float>, partner: [Float]) {
        self.arena = arena
        self.partner = partner
        reductionsPerElement = Array(repeating: 0, count: arena.count)
        started.reserveCapacity(arena.count)
    }

    var rank: Int { 0 }
    var worldSize: Int { 2 }
    var hostName: String { "test" }

    func makeCollectiveRequest() -> CollectiveRequest { DeferredSum(owner: self, capacity: arena.count) }

    func startAllReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>, request: CollectiveRequest) throws {
        let start = buffer.baseAddress! - arena.baseAddress!
        let range = start..<(start + buffer.count)
        if started.isEmpty { firstLayerUntouchedAtFirstStart = arena[0..<16].allSatisfy { $0 == 0 } }
        started.append(range)
        for index in range { reductionsPerElement[index] += 1 }
        (request as! DeferredSum).start(buffer, sum: { index in arena[start + index] + partner[start + index] })
    }

    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws { unexpected("allReduceSum") }
    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) throws { unexpected("allReduceSum") }
    func allGather(_ send: UnsafeBufferPointer<Float>, into receive: UnsafeMutableBufferPointer<Float>, counts: [Int]) throws { unexpected("allGather") }
    func allGather(_ send: UnsafeBufferPointer<Int32>, into receive: UnsafeMutableBufferPointer<Int32>, counts: [Int]) throws { unexpected("allGather") }
    func allGather(bytes send: UnsafeRawBufferPointer, into receive: UnsafeMutableRawBufferPointer) throws { unexpected("allGather") }
    func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) throws { unexpected("broadcast") }
    func barrier() throws { unexpected("barrier") }
    func abort(code: Int32) -> Never { fatalError("the reducer aborted the job (code \(code))") }
    func finalize() {}

    func countTest() { tests += 1 }

    private func unexpected(_ collective: String) {
        Issue.record("the gradient reducer called \(collective); it should use only the non-blocking all-reduce")
    }
}

private final class DeferredSum: CollectiveRequest {
    unowned let owner: RecordingCommunicator
    private var buffer: UnsafeMutableBufferPointer<Float>?
    private var result: [Float]
    private var testsLeft = 0

    init(owner: RecordingCommunicator, capacity: Int) {
        self.owner = owner
        result = Array(repeating: 0, count: capacity)
    }

    /// Takes the sum now, from the buffer as it is, and delivers it on completion.
    func start(_ buffer: UnsafeMutableBufferPointer<Float>, sum: (Int) -> Float) {
        #expect(self.buffer == nil, "a request was reused before its collective completed")
        self.buffer = buffer
        for index in buffer.indices { result[index] = sum(index) }
        testsLeft = 1
    }

    func test() throws -> Bool {
        owner.countTest()
        guard buffer != nil else { return true }
        if testsLeft > 0 {
            testsLeft -= 1
            return false
        }
        complete()
        return true
    }

    func wait() throws {
        if buffer != nil { complete() }
    }

    private func complete() {
        for index in buffer!.indices { buffer![index] = result[index] }
        buffer = nil
    }
}

import Testing
@testable import Evaluation

@Suite struct NearestNeighboursTests {
    /// More queries than one SGEMM block holds, so the blocks' seams are crossed; checked
    /// against ranking each query's similarities one by one.
    @Test func blockedSearchRanksAsOneQueryAtATime() {
        let width = 3
        var generator = SystemRandomNumberGenerator()
        let queryCount = NearestNeighbours.queryBlock + 5
        let queries = (0..<queryCount * width).map { _ in Float.random(in: -1...1, using: &generator) }
        let gallery = (0..<40 * width).map { _ in Float.random(in: -1...1, using: &generator) }
        let neighbours = NearestNeighbours.search(queries: queries, gallery: gallery, width: width, k: 4)
        #expect(neighbours.k == 4)
        for query in [0, NearestNeighbours.queryBlock - 1, NearestNeighbours.queryBlock, queryCount - 1] {
            let q = Array(queries[query * width..<(query + 1) * width])
            let similarities = (0..<40).map { cosine(q, Array(gallery[$0 * width..<($0 + 1) * width])) }
            let expected = Array((0..<40).sorted { similarities[$0] > similarities[$1] }.prefix(4))
            #expect(Array(neighbours.indices[query * 4..<(query + 1) * 4]) == expected)
            for (rank, index) in expected.enumerated() {
                #expect(abs(Double(neighbours.similarities[query * 4 + rank]) - similarities[index]) < 1e-5)
            }
        }
    }

    @Test func leaveOneOutNeverReturnsTheQueryAndKeepsAtMostTheOthers() {
        let embeddings: [Float] = [1, 0, 1, 0.1, 0, 1]
        let neighbours = NearestNeighbours.leaveOneOut(embeddings: embeddings, width: 2, k: 10)
        #expect(neighbours.k == 2)
        #expect(neighbours.indices == [1, 2, 0, 2, 1, 0])
    }

    /// A zero embedding normalises to zero, as F.normalize's floor makes it: similarity 0 to all.
    @Test func zeroEmbeddingHasZeroSimilarity() {
        let neighbours = NearestNeighbours.search(queries: [0, 0], gallery: [1, 0, -1, 0], width: 2, k: 2)
        #expect(neighbours.similarities == [0, 0])
        #expect(neighbours.indices == [0, 1])
    }

    private func cosine(_ a: [Float], _ b: [Float]) -> Double {
        let dot = zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let norms = (a.reduce(0.0) { $0 + Double($1 * $1) } * b.reduce(0.0) { $0 + Double($1 * $1) }).squareRoot()
        return dot / norms
    }
}

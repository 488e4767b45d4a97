import Engine
import Support
import Testing

@Suite struct BLASTests {
    /// A (rows x columns) matrix of seeded values in [-1, 1).
    static func matrix(_ rows: Int, _ columns: Int, seed: UInt64) -> [Float] {
        var generator = SplitMix64(seed: seed)
        return (0..<rows * columns).map { _ in 2 * generator.nextUniform() - 1 }
    }

    /// Products large enough to be split, tall (split by rows) and wide (split by columns),
    /// in every transposition, with beta = 1 so each block must add onto its own part of C.
    @Test(arguments: [(300, 40, 200), (40, 300, 200)], [false, true])
    func splittingOverThreadsGivesTheSingleThreadedProduct(shape: (Int, Int, Int), transposeA: Bool) {
        let (m, n, k) = shape
        for transposeB in [false, true] {
            let a = Self.matrix(m, k, seed: 1), b = Self.matrix(k, n, seed: 2), initial = Self.matrix(m, n, seed: 3)
            func product(threads: Int) -> [Float] {
                var c = initial
                c.withUnsafeMutableBufferPointer { c in
                    BLAS.sgemm(
                        transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 0.5,
                        a: a, lda: transposeA ? m : k, b: b, ldb: transposeB ? k : n,
                        beta: 1, c: c.baseAddress!, ldc: n, threads: threads)
                }
                return c
            }
            // Stored transposed, A and B are read as other matrices; only agreement matters here.
            #expect(largestRelativeDifference(product(threads: 3), product(threads: 1)) <= 1e-5,
                    "transposeA \(transposeA), transposeB \(transposeB)")
        }
    }

    @Test func aProductWithoutReductionScalesC() {
        var c: [Float] = [1, 2, 3, 4]
        let empty: [Float] = [0]
        c.withUnsafeMutableBufferPointer { c in
            BLAS.sgemm(m: 2, n: 2, k: 0, a: empty, lda: 1, b: empty, ldb: 2, beta: 0.5, c: c.baseAddress!, ldc: 2)
        }
        #expect(c == [0.5, 1, 1.5, 2])
    }
}

import COpenBLAS
import Support

/// Row-major single-precision matrix products through OpenBLAS.
///
/// A product may be split over several threads by the engine itself: the rows (or columns)
/// of C are cut into blocks, each computed by one single-threaded OpenBLAS call on a thread of
/// `parallelFor`. OpenBLAS's own thread pool is kept at one thread. Measured on this project's
/// 2-core machine: a MobileNet-V3-Small step with OpenBLAS's pool at 2 threads took 147 ms, its
/// 1x1 convolutions 59 ms, against 93 ms and 23 ms with the pool at 1 and the engine's loops on
/// 2 threads (its workers spin between calls while the engine's threads need the cores); split
/// by the engine, a 36864 x 58 x 58 product took 1.7 ms on 2 threads against 2.6 ms on one.
public enum BLAS {
    /// C (m x n) = alpha * op(A) (m x k) * op(B) (k x n) + beta * C.
    /// `lda`, `ldb`, `ldc` are the row strides of A, B and C as stored (before transposition).
    /// `threads` > 1 splits C into that many blocks of rows or columns, computed concurrently,
    /// when each block still has enough work to pay for waking a thread; nil takes the count
    /// given to `setThreads`.
    public static func sgemm(
        transposeA: Bool = false, transposeB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        threads: Int? = nil
    ) {
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            if beta == 0 {
                for row in 0..<m { (c + row * ldc).update(repeating: 0, count: n) }
            } else if beta != 1 {
                for row in 0..<m { for col in 0..<n { c[row * ldc + col] *= beta } }
            }
            return
        }
        let parts = min(threads ?? defaultThreads, m * n * k / minimumMultiplyAccumulatesPerThread)
        guard parts > 1, max(m, n) >= 2 * parts else {
            product(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
            return
        }
        // Blocks of C's rows take the matching rows of op(A) (columns of A when transposed);
        // blocks of its columns take the matching columns of op(B).
        if m >= n {
            parallelFor(m, threads: parts) { rows in
                product(transposeA, transposeB, rows.count, n, k, alpha,
                        a + rows.lowerBound * (transposeA ? 1 : lda), lda, b, ldb, beta,
                        c + rows.lowerBound * ldc, ldc)
            }
        } else {
            parallelFor(n, threads: parts) { columns in
                product(transposeA, transposeB, m, columns.count, k, alpha, a, lda,
                        b + columns.lowerBound * (transposeB ? ldb : 1), ldb, beta,
                        c + columns.lowerBound, ldc)
            }
        }
    }

    /// Below this many multiply-accumulates per block a product stays on one thread.
    static let minimumMultiplyAccumulatesPerThread = 1 << 20

    private static func product(
        _ transposeA: Bool, _ transposeB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
        _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int, _ beta: Float,
        _ c: UnsafeMutablePointer<Float>, _ ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor,
            transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha,
            a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Threads a product may use when its caller does not say (the operations pass their
    /// `RunContext`'s count). With several ranks on a node, one per rank. Also keeps
    /// OpenBLAS's own pool at one thread (see `BLAS`).
    public static func setThreads(_ count: Int) {
        defaultThreads = max(1, count)
        openblas_set_num_threads(1)
    }

    /// Set once at start-up, before any product runs, by `setThreads`.
    nonisolated(unsafe) private static var defaultThreads = 1

    /// The kernel family OpenBLAS picked at load time ("SkylakeX", "Haswell", "Prescott", ...).
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }
}

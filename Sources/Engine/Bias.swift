/// Sets every row of `matrix` (rows x columns, contiguous) to `bias`, so that an SGEMM with
/// beta = 1 then adds the product onto it: the bias costs no extra pass over the output.
func fillRows(_ matrix: UnsafeMutablePointer<Float>, rows: Int, columns: Int, with bias: UnsafePointer<Float>) {
    for row in 0..<rows {
        (matrix + row * columns).update(from: bias, count: columns)
    }
}

/// Adds the sum over rows of `matrix` (rows x columns, contiguous) to `gradient`: the gradient
/// of a bias broadcast over those rows.
func addColumnSums(of matrix: UnsafePointer<Float>, rows: Int, columns: Int, to gradient: UnsafeMutablePointer<Float>) {
    for row in 0..<rows {
        let values = matrix + row * columns
        for column in 0..<columns { gradient[column] += values[column] }
    }
}

import Support

/// How the K-means assignment step is shared across ranks: which points this rank assigns,
/// and how to sum an array over all ranks in place. `local` (one process) assigns every
/// point and sums nothing.
public struct KMeansReduction: Sendable {
    public var share: @Sendable (_ pointCount: Int) -> Range<Int>
    public var sum: @Sendable (_ values: inout [Double]) -> Void

    public init(share: @escaping @Sendable (Int) -> Range<Int>, sum: @escaping @Sendable (inout [Double]) -> Void) {
        self.share = share
        self.sum = sum
    }

    public static let local = KMeansReduction(share: { 0..<$0 }, sum: { _ in })
}

/// Lloyd's K-means with k-means++ seeding (Arthur and Vassilvitskii 2007), deterministic for a
/// seed: ties go to the lower cluster, and an emptied cluster keeps its centroid.
///
/// Every rank seeds on all points identically; each iteration a rank assigns only its share
/// and the per-cluster sums and counts are summed across ranks, so the result does not
/// depend on the split beyond float summation order.
public struct KMeans: Sendable {
    public var clusterCount: Int
    public var maxIterations: Int
    /// Stop once no centroid moves farther than this (Euclidean, in the points' units).
    public var tolerance: Double
    public var seed: UInt64

    public init(clusterCount: Int, maxIterations: Int = 100, tolerance: Double = 1e-4, seed: UInt64) {
        precondition(clusterCount > 0 && maxIterations > 0)
        self.clusterCount = clusterCount
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.seed = seed
    }

    public struct Result: Equatable, Sendable {
        /// Cluster of each point.
        public var assignments: [Int]
        /// (clusterCount, dimension).
        public var centroids: [Double]
        public var iterations: Int
    }

    /// Clusters `points` (count, dimension), with at least `clusterCount` points.
    public func fit(_ points: [Float], dimension: Int, reduction: KMeansReduction = .local) -> Result {
        let count = points.count / dimension
        precondition(count >= clusterCount, "K-means needs at least as many points as clusters")
        var centroids = seedCentroids(points, count: count, dimension: dimension)
        let share = reduction.share(count)
        var iterations = 0
        while iterations < maxIterations {
            iterations += 1
            var accumulators = [Double](repeating: 0, count: clusterCount * (dimension + 1))  // sums, then counts
            for point in share {
                let cluster = nearest(point, points, dimension: dimension, centroids: centroids).cluster
                for feature in 0..<dimension {
                    accumulators[cluster * dimension + feature] += Double(points[point * dimension + feature])
                }
                accumulators[clusterCount * dimension + cluster] += 1
            }
            reduction.sum(&accumulators)
            var largestShift = 0.0
            for cluster in 0..<clusterCount {
                let members = accumulators[clusterCount * dimension + cluster]
                guard members > 0 else { continue }
                var shift = 0.0
                for feature in 0..<dimension {
                    let updated = accumulators[cluster * dimension + feature] / members
                    shift += (updated - centroids[cluster * dimension + feature]) * (updated - centroids[cluster * dimension + feature])
                    centroids[cluster * dimension + feature] = updated
                }
                largestShift = max(largestShift, shift.squareRoot())
            }
            if largestShift <= tolerance { break }
        }
        // Every rank needs every point's cluster: each fills its share (cluster + 1) and the sum merges them.
        var merged = [Double](repeating: 0, count: count)
        for point in share { merged[point] = Double(nearest(point, points, dimension: dimension, centroids: centroids).cluster + 1) }
        reduction.sum(&merged)
        return Result(assignments: merged.map { Int($0) - 1 }, centroids: centroids, iterations: iterations)
    }

    /// k-means++: the first centre uniformly, each next one with probability proportional to
    /// the squared distance to the nearest centre chosen so far.
    private func seedCentroids(_ points: [Float], count: Int, dimension: Int) -> [Double] {
        var generator = SplitMix64(seed: SplitMix64.key(seed, 0xC1_057E4))
        var chosen = [generator.nextIndex(below: count)]
        var centroids = (0..<dimension).map { Double(points[chosen[0] * dimension + $0]) }
        var distances = (0..<count).map { squaredDistance($0, points, dimension: dimension, centroid: centroids, cluster: 0) }
        while chosen.count < clusterCount {
            let total = distances.reduce(0, +)
            var next: Int
            if total > 0 {
                var target = Double(generator.nextUniform()) * total
                next = count - 1
                for point in 0..<count where distances[point] > 0 {
                    target -= distances[point]
                    if target < 0 { next = point; break }
                }
            } else {
                // All points coincide with chosen centres: take any point not yet chosen.
                next = (0..<count).first { !chosen.contains($0) }!
            }
            chosen.append(next)
            centroids += (0..<dimension).map { Double(points[next * dimension + $0]) }
            let cluster = chosen.count - 1
            for point in 0..<count {
                distances[point] = min(distances[point], squaredDistance(point, points, dimension: dimension, centroid: centroids, cluster: cluster))
            }
        }
        return centroids
    }

    private func nearest(_ point: Int, _ points: [Float], dimension: Int, centroids: [Double]) -> (cluster: Int, distance: Double) {
        var best = (cluster: 0, distance: Double.infinity)
        for cluster in 0..<clusterCount {
            let distance = squaredDistance(point, points, dimension: dimension, centroid: centroids, cluster: cluster)
            if distance < best.distance { best = (cluster, distance) }
        }
        return best
    }

    private func squaredDistance(_ point: Int, _ points: [Float], dimension: Int, centroid: [Double], cluster: Int) -> Double {
        var sum = 0.0
        for feature in 0..<dimension {
            let difference = Double(points[point * dimension + feature]) - centroid[cluster * dimension + feature]
            sum += difference * difference
        }
        return sum
    }
}

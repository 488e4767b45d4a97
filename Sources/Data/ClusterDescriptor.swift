import Support

/// The feature vector K-means groups images by: the image area-downsampled to 32 x 32 grey
/// pixels, each of the 1024 features standardised to zero mean and unit variance over the
/// split, so bright and dark regions weigh alike.
enum ClusterDescriptor {
    static let side = 32
    static let dimension = side * side

    /// (cache.count, dimension) descriptors of every cached image.
    static func descriptors(of cache: ImageCache, threads: Int) -> [Float] {
        var features = [Float](repeating: 0, count: cache.count * dimension)
        features.withUnsafeMutableBufferPointer { features in
            parallelFor(cache.count, threads: threads) { range in
                for index in range {
                    let thumbnail = cache.image(at: index).grey.resized(width: side, height: side)
                    for feature in 0..<dimension { features[index * dimension + feature] = Float(thumbnail.pixels[feature]) }
                }
            }
        }
        standardise(&features, count: cache.count)
        return features
    }

    private static func standardise(_ features: inout [Float], count: Int) {
        guard count > 0 else { return }
        for feature in 0..<dimension {
            var mean = 0.0
            for index in 0..<count { mean += Double(features[index * dimension + feature]) }
            mean /= Double(count)
            var variance = 0.0
            for index in 0..<count {
                let deviation = Double(features[index * dimension + feature]) - mean
                variance += deviation * deviation
            }
            let deviation = (variance / Double(count)).squareRoot()
            // A feature constant over the split carries no information: zero it.
            let scale = deviation > 0 ? 1 / deviation : 0
            for index in 0..<count {
                features[index * dimension + feature] = Float((Double(features[index * dimension + feature]) - mean) * scale)
            }
        }
    }
}

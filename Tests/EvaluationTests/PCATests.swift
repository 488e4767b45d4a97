import Engine
import Support
import Testing
@testable import Evaluation

@Suite struct PCATests {
    /// Points spread 3σ along `major`, 1σ along `minor` (orthogonal unit vectors in 5-D), plus
    /// a little isotropic noise, around an offset centre.
    static func elongatedCloud(count: Int, major: [Double], minor: [Double]) -> [Float] {
        var generator = SplitMix64(seed: 3)
        let centre: [Double] = [5, -2, 1, 0, 3]
        return (0..<count).flatMap { _ -> [Float] in
            let a = Double(generator.nextNormal()) * 3
            let b = Double(generator.nextNormal())
            return (0..<5).map { column in
                Float(centre[column] + a * major[column] + b * minor[column] + Double(generator.nextNormal()) * 0.05)
            }
        }
    }

    static let major = [1.0, 2, -2, 0, 0].map { $0 / 3 }
    static let minor = [0.0, 0, 0, 0.6, -0.8]

    @Test func firstComponentFollowsTheDominantDirection() {
        let pca = PCA(embeddings: Self.elongatedCloud(count: 200, major: Self.major, minor: Self.minor),
                      sampleCount: 200, dimension: 5)
        let first = Array(pca.components[0..<5])
        let second = Array(pca.components[5..<10])
        #expect(abs(dot(first, Self.major)) > 0.999)
        #expect(abs(dot(second, Self.minor)) > 0.999)
        #expect(abs(dot(first, second)) < 1e-9)
        #expect(abs(dot(first, first) - 1) < 1e-9)
        // Variances 9 and 1 of a total near 10.
        #expect(abs(pca.explainedVarianceRatio[0] - 0.9) < 0.03)
        #expect(abs(pca.explainedVarianceRatio[1] - 0.1) < 0.03)
        #expect(pca.explainedVarianceRatio[0] > pca.explainedVarianceRatio[1])
    }

    @Test func wideEmbeddingsConvergeOnTheDominantPlane() {
        // D = 40 is wider than the iteration block, so this takes the iterative path.
        let dimension = 40
        var generator = SplitMix64(seed: 8)
        var major = (0..<dimension).map { _ in Double(generator.nextNormal()) }
        major = major.map { $0 / dot(major, major).squareRoot() }
        var minor = (0..<dimension).map { _ in Double(generator.nextNormal()) }
        minor = zip(minor, major).map { $0 - dot(minor, major) * $1 }
        minor = minor.map { $0 / dot(minor, minor).squareRoot() }
        let embeddings = (0..<300).flatMap { _ -> [Float] in
            let a = Double(generator.nextNormal()) * 3
            let b = Double(generator.nextNormal())
            return (0..<dimension).map { Float(a * major[$0] + b * minor[$0] + Double(generator.nextNormal()) * 0.2) }
        }
        let pca = PCA(embeddings: embeddings, sampleCount: 300, dimension: dimension)
        #expect(abs(dot(Array(pca.components[0..<dimension]), major)) > 0.995)
        #expect(abs(dot(Array(pca.components[dimension..<2 * dimension]), minor)) > 0.98)
    }

    @Test func signConventionMakesTheLargestEntryPositive() {
        // Flipping the data flips the raw directions; the convention must undo that.
        let cloud = Self.elongatedCloud(count: 100, major: Self.major, minor: Self.minor)
        let pca = PCA(embeddings: cloud, sampleCount: 100, dimension: 5)
        let flipped = PCA(embeddings: cloud.map { -$0 }, sampleCount: 100, dimension: 5)
        for component in 0..<2 {
            let entries = pca.components[component * 5..<(component + 1) * 5]
            let largest = entries.max { abs($0) < abs($1) }!
            #expect(largest > 0)
        }
        for (a, b) in zip(pca.components, flipped.components) { #expect(abs(a - b) < 1e-6) }
    }

    @Test func coordinatesAreCentredProjections() {
        let cloud = Self.elongatedCloud(count: 50, major: Self.major, minor: Self.minor)
        let pca = PCA(embeddings: cloud, sampleCount: 50, dimension: 5)
        for sample in 0..<50 {
            for component in 0..<2 {
                let projection = (0..<5).reduce(0.0) { sum, column in
                    sum + (Double(cloud[sample * 5 + column]) - pca.mean[column]) * pca.components[component * 5 + column]
                }
                #expect(abs(Double(pca.coordinates[sample * 2 + component]) - projection) < 1e-4)
            }
        }
        let meanFirst = stride(from: 0, to: 100, by: 2).reduce(0.0) { $0 + Double(pca.coordinates[$1]) } / 50
        #expect(abs(meanFirst) < 1e-4)
    }

    @Test func identicalPointsGiveZeroCoordinatesAndOrthonormalComponents() {
        let pca = PCA(embeddings: [Float](repeating: 2, count: 4 * 3), sampleCount: 4, dimension: 3)
        #expect(pca.coordinates.allSatisfy { $0 == 0 })
        #expect(pca.explainedVarianceRatio == [0, 0])
        let first = Array(pca.components[0..<3])
        let second = Array(pca.components[3..<6])
        #expect(abs(dot(first, first) - 1) < 1e-12 && abs(dot(second, second) - 1) < 1e-12)
        #expect(abs(dot(first, second)) < 1e-12)
    }

    @Test func collinearPointsPutAllVarianceOnTheFirstComponent() {
        let embeddings: [Float] = [0, 0, 0, 1, 2, 2, 2, 4, 4, -1, -2, -2]
        let pca = PCA(embeddings: embeddings, sampleCount: 4, dimension: 3)
        #expect(abs(pca.explainedVarianceRatio[0] - 1) < 1e-9)
        #expect(abs(pca.explainedVarianceRatio[1]) < 1e-9)
        #expect(abs(dot(Array(pca.components[0..<3]), [1.0 / 3, 2.0 / 3, 2.0 / 3]) - 1) < 1e-9)
        for sample in 0..<4 { #expect(abs(pca.coordinates[sample * 2 + 1]) < 1e-5) }
    }

    private func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
}

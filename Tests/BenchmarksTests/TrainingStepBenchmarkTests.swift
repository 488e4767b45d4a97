import Engine
import Losses
import Networks
import Testing
import Benchmarks
import Training

@Suite struct TrainingStepBenchmarkTests {
    /// `tiny` at 32 x 32: a few debug-build steps take well under a second.
    static func run(loss: LossKind = .crossEntropyPlusBST, profiledSteps: Int = 1) throws -> TrainingStepBenchmark.Result {
        let settings = StepBenchmarkSettings(
            network: .tiny, batch: 4, imageSize: 32, channels: 1, classes: 2, loss: try LossConfiguration(kind: loss),
            threads: 1, steps: 3, warmUp: 1)
        return try TrainingStepBenchmark(settings, profiledSteps: profiledSteps).run()
    }

    @Test func reportsEveryTimedStepSortedWithQuantilesBetweenTheExtremes() throws {
        let result = try Self.run()
        #expect(result.stepSeconds.count == 3)
        #expect(result.stepSeconds == result.stepSeconds.sorted())
        #expect(result.stepSeconds.allSatisfy { $0 > 0 })
        #expect(result.quantile(0) == result.stepSeconds.first && result.quantile(1) == result.stepSeconds.last)
        #expect(result.medianSeconds == result.stepSeconds[1])
        #expect(abs(result.imagesPerSecond - 4 / result.medianSeconds) <= 1e-9 * result.imagesPerSecond)
    }

    @Test func countsSixFloatingPointOperationsPerForwardMultiplyAccumulateOfConvolutionsAndLinearLayers() throws {
        let result = try Self.run()
        let graph = try makeGraph(.tiny, inputShape: TensorShape(height: 32, width: 32, channels: 1), classes: 2)
        let arithmetic: Set<OperationKind> = [.convolution1x1, .convolutionKxK, .depthwiseConvolution, .linear]
        let expected = graph.nodes.compactMap(\.operation).filter { arithmetic.contains($0.kind) }
            .reduce(0) { $0 + $1.multiplyAccumulates(batch: 4) }
        #expect(expected > 0 && result.forwardMultiplyAccumulates == expected)
        #expect(result.stepFloatingPointOperations == 6 * Double(expected))
        #expect(result.parameterCount == graph.trainableCount)
    }

    @Test func breakdownNamesEveryOperationKindOfTheNetworkAndTheStepsOwnParts() throws {
        let result = try Self.run()
        let graph = try makeGraph(.tiny, inputShape: TensorShape(height: 32, width: 32, channels: 1), classes: 2)
        let kinds = Set(graph.nodes.compactMap { $0.operation?.kind.rawValue })
        let parts = result.breakdown.map(\.part)
        #expect(Set(parts) == kinds.union(["loss", "optimizer", "zero gradients", "rest of the step"]))
        #expect(parts.count == Set(parts).count)
        #expect(result.breakdown.allSatisfy { $0.forwardSeconds >= 0 && $0.backwardSeconds >= 0 })
        #expect(result.breakdown.map(\.seconds) == result.breakdown.map(\.seconds).sorted(by: >))
        #expect(result.profiledStepSeconds > 0)
    }

    @Test func noProfiledStepsMeansNoBreakdown() throws {
        #expect(try Self.run(loss: .crossEntropy, profiledSteps: 0).breakdown.isEmpty)
    }

    @Test func peakResidentMemoryIsReported() throws {
        let result = try Self.run()
        #expect(result.peakResidentBytes > 0)
        #expect(result.peakGrowthDuringStepsBytes >= 0)
    }
}

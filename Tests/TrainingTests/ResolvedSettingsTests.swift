import Support
import Testing
@testable import Training

/// Every numeric option's range is checked before a run sizes anything from it.
@Suite struct ResolvedSettingsTests {
    static func configuration(_ change: (inout TrainingConfiguration) -> Void) -> TrainingConfiguration {
        var configuration = TrainingConfiguration()
        configuration.train = "/nonexistent"
        change(&configuration)
        return configuration
    }

    /// (option, a configuration with a bad value of it).
    static let refused: [(String, TrainingConfiguration)] = [
        ("--lr", configuration { $0.lr = .nan }), ("--lr", configuration { $0.lr = 1e300 }), ("--lr", configuration { $0.lr = 1e-60 }),
        ("--weight-decay", configuration { $0.weightDecay = .infinity }), ("--weight-decay", configuration { $0.weightDecay = -1 }),
        ("--momentum", configuration { $0.momentum = 1 }), ("--momentum", configuration { $0.momentum = .nan }),
        ("--batch", configuration { $0.batch = 1 }), ("--batch", configuration { $0.batch = .max }),
        ("--epochs", configuration { $0.epochs = 0 }),
        ("--image-size", configuration { $0.imageSize = 4_611_686_018_427_387_904 }), ("--image-size", configuration { $0.imageSize = 8192 }),
        ("--image-size", configuration { $0.imageSize = 100 }), ("--image-size", configuration { $0.imageSize = -32 }),
        ("--channels", configuration { $0.channels = 2 }),
        ("--val-fraction", configuration { $0.valFraction = .nan }), ("--val-fraction", configuration { $0.valFraction = 1 }),
        ("--max-image-pixels", configuration { $0.maxImagePixels = 0 }),
        ("--lr-factor", configuration { $0.lrFactor = .nan }), ("--lr-factor", configuration { $0.lrFactor = -0.3 }),
        ("--lr-factor", configuration { $0.lrFactor = 1 }),
        ("--lr-patience", configuration { $0.lrPatience = -1 }),
        ("--min-lr", configuration { $0.minLr = .nan }), ("--min-lr", configuration { $0.minLr = -1e-8 }),
        ("--early-stopping-patience", configuration { $0.earlyStoppingPatience = -5 }),
        ("--early-stopping-min-delta", configuration { $0.earlyStoppingMinDelta = .nan }),
        ("--early-stopping-min-delta", configuration { $0.earlyStoppingMinDelta = -1 }),
        ("--iterations-per-epoch", configuration { $0.iterationsPerEpoch = 0 }),
        ("--iterations-per-epoch", configuration { $0.iterationsPerEpoch = -1 }),
        ("--threads", configuration { $0.threads = 0 }), ("--threads", configuration { $0.threads = 1 << 40 }),
        ("--bucket-mb", configuration { $0.bucketMB = .nan }), ("--bucket-mb", configuration { $0.bucketMB = .infinity }),
        ("--bucket-mb", configuration { $0.bucketMB = 1e300 }), ("--bucket-mb", configuration { $0.bucketMB = 0 }),
    ]

    @Test(arguments: refused)
    func aValueOutsideItsRangeIsRefusedByName(option: String, configuration: TrainingConfiguration) {
        do {
            _ = try ResolvedSettings(configuration, worldSize: 1)
            Issue.record("\(option) was accepted")
        } catch let TrainingError.invalidOption(name, _, _) {
            #expect(name == option)
        } catch {
            Issue.record("\(option): unexpected \(error)")
        }
    }

    @Test func theDefaultsAndTheirEdgesAreAccepted() throws {
        _ = try ResolvedSettings(Self.configuration { _ in }, worldSize: 1)
        _ = try ResolvedSettings(Self.configuration {
            $0.momentum = 0; $0.weightDecay = 0; $0.minLr = 0; $0.lrPatience = 0; $0.earlyStoppingPatience = 0
            $0.earlyStoppingMinDelta = 0; $0.iterationsPerEpoch = 1; $0.batch = 2; $0.imageSize = 4096; $0.threads = 1
        }, worldSize: 1)
    }

    @Test func noValidationImagesIsRefusedBeforeTheRunStarts() {
        #expect(throws: TrainingError.self) { try ResolvedSettings(Self.configuration { $0.valFraction = 0 }, worldSize: 1) }
    }

    /// The property the ranges protect: whatever numbers are given, checking them and
    /// estimating the run's memory ends in a value or a refusal, never a trap.
    @Test func randomNumbersForEveryOptionEndInARefusalOrAnEstimate() throws {
        var generator = SplitMix64(seed: 16)
        let doubles: [Double] = [.nan, .infinity, -.infinity, -1, 0, 1e-300, 1e-8, 0.3, 0.999, 1, 2, 1e300, -0.0]
        let integers: [Int] = [.min, -1, 0, 1, 2, 3, 31, 32, 36, 64, 4096, 8192, 1 << 24, 1 << 40, .max]
        // Each option keeps its default three times in four, so that some draws pass every check
        // and go on to the estimate.
        func draw<T>(_ values: [T], _ option: inout T) {
            if generator.next() % 4 == 0 { option = values[Int(generator.next() % UInt64(values.count))] }
        }
        var accepted = 0
        for _ in 0..<2_000 {
            var iterations = 1
            var threads = 1
            let configuration = Self.configuration {
                draw(doubles, &$0.lr); draw(doubles, &$0.weightDecay); draw(doubles, &$0.momentum); draw(doubles, &$0.valFraction)
                draw(doubles, &$0.lrFactor); draw(doubles, &$0.minLr); draw(doubles, &$0.earlyStoppingMinDelta); draw(doubles, &$0.bucketMB)
                draw(integers, &$0.batch); draw(integers, &$0.epochs); draw(integers, &$0.imageSize); draw(integers, &$0.maxImagePixels)
                draw(integers, &$0.lrPatience); draw(integers, &$0.earlyStoppingPatience)
                draw(integers, &iterations); draw(integers, &threads)
                $0.iterationsPerEpoch = iterations
                $0.threads = threads
            }
            guard (try? ResolvedSettings(configuration, worldSize: 4)) != nil else { continue }
            accepted += 1
            let estimate = try MemoryEstimate(configuration: configuration, classes: 2, images: (4_700, 516, 0), worldSize: 4)
            #expect(estimate.parts.count == 7)
        }
        #expect(accepted > 0)
    }
}

@Suite struct MemoryEstimateTests {
    @Test func thePaperRunFitsAndAHugeOneIsRefusedWithTheFigures() throws {
        let paper = try MemoryEstimate(configuration: TrainingConfiguration(), classes: 2, images: (4_694, 522, 0), worldSize: 1, ranksOnNode: 1)
        let total = try #require(paper.totalBytes)
        // 5216 images of 128 x 128 bytes (85 MB) and MobileNet's activations for 36 images.
        #expect(total > 100_000_000 && total < 2_000_000_000)
        try paper.check(MemoryBudget(availableBytes: 24_000_000_000))

        var huge = TrainingConfiguration()
        huge.batch = 1 << 20
        huge.imageSize = 4096
        let estimate = try MemoryEstimate(configuration: huge, classes: 2, images: (10, 2, 0), worldSize: 1, ranksOnNode: 1)
        do {
            try estimate.check(MemoryBudget(availableBytes: 24_000_000_000))
            Issue.record("a run needing petabytes was accepted")
        } catch {
            #expect(error.description.contains("24.0 GB available"))
            #expect(error.description.contains("network"))
        }
    }

    @Test func ranksOnOneNodeEachHoldEveryPart() throws {
        let one = try MemoryEstimate(configuration: TrainingConfiguration(), classes: 2, images: (100, 10, 0), worldSize: 2, ranksOnNode: 1)
        let two = try MemoryEstimate(configuration: TrainingConfiguration(), classes: 2, images: (100, 10, 0), worldSize: 2, ranksOnNode: 2)
        #expect(two.totalBytes == one.totalBytes.map { $0 * 2 })
    }
}

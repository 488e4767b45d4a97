import Testing
@testable import Training

/// The checks of the generalization options (docs/method.md, "Generalization options").
@Suite struct GeneralizationSettingsTests {
    func configuration(_ change: (inout TrainingConfiguration) -> Void) -> TrainingConfiguration {
        var configuration = TrainingConfiguration()
        configuration.train = "data/train"
        change(&configuration)
        return configuration
    }

    func message(_ change: (inout TrainingConfiguration) -> Void) -> String? {
        do {
            _ = try ResolvedSettings(configuration(change), worldSize: 1)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func theRecommendedRecipeAveragesAndFollowsTheCosineAndThePaperRecipeTurnsEveryLeverOff() throws {
        let recommended = try ResolvedSettings(configuration { _ in }, worldSize: 1)
        #expect(recommended.averageDecay == 0.99 && recommended.cosineSchedule?.warmupEpochs == 0)
        var paper = Recipe.paper.configuration
        paper.train = "data/train"
        let settings = try ResolvedSettings(paper, worldSize: 1)
        #expect(settings.averageDecay == nil && settings.cosineSchedule == nil && settings.loss.labelSmoothing == 0)
    }

    @Test func aMovingAverageNeedsADecayBelowOne() throws {
        #expect(try ResolvedSettings(configuration { $0.ema = 0.999 }, worldSize: 1).averageDecay == 0.999)
        #expect(message { $0.ema = 1 }?.contains("--ema 1.0 is not valid") == true)
        #expect(message { $0.ema = -0.5 }?.contains("--ema") == true)
    }

    @Test func labelSmoothingOutsideZeroToOneIsRefusedByOptionName() {
        #expect(message { $0.labelSmoothing = 1 }?.contains("--label-smoothing") == true)
        #expect(message { $0.labelSmoothing = 0.1 } == nil)
    }

    @Test func warmUpComesWithTheCosineScheduleAndLeavesEpochsToDecay() throws {
        #expect(message { $0.lrSchedule = .plateau; $0.warmupEpochs = 3 }?.contains("--warmup-epochs 3") == true)
        #expect(message { $0.lrSchedule = .cosine; $0.epochs = 5; $0.warmupEpochs = 5 }?.contains("--warmup-epochs 5") == true)
        #expect(message { $0.lrSchedule = .cosine; $0.minLr = 0.1 }?.contains("--min-lr") == true)
        let schedule = try ResolvedSettings(configuration { $0.lrSchedule = .cosine; $0.epochs = 5; $0.warmupEpochs = 1 }, worldSize: 1)
            .cosineSchedule
        #expect(schedule == CosineSchedule(learningRate: 1e-3, minimumLearningRate: 1e-8, epochs: 5, warmupEpochs: 1))
    }
}

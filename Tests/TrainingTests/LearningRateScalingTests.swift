import Testing
@testable import Training

/// `--lr-scaling`: the initial rate of both schedules follows the global batch from the
/// reference batch of 36.
@Suite struct LearningRateScalingTests {
    @Test func theFactorsOfTheRules() {
        #expect(LearningRateScaling.none.factor(batch: 144) == 1)
        #expect(LearningRateScaling.linear.factor(batch: 144) == 4)
        #expect(LearningRateScaling.sqrt.factor(batch: 144) == 2)
        #expect(LearningRateScaling.linear.factor(batch: 36) == 1)
        #expect(LearningRateScaling.sqrt.factor(batch: 9) == 0.5)
    }

    @Test func theScaledRateStartsTheCosineAndThePlateauSchedules() throws {
        var configuration = TrainingConfiguration()
        configuration.train = "/nonexistent"
        configuration.batch = 144
        configuration.lr = 0.001
        configuration.lrScaling = .linear
        configuration.minLr = 0
        let cosine = try ResolvedSettings(configuration, worldSize: 4)
        #expect(cosine.scaledLearningRate == 0.004 && cosine.learningRate == Float(0.004))
        #expect(cosine.cosineSchedule?.learningRate(epoch: 0) == 0.004)
        configuration.lrSchedule = .plateau
        configuration.lrScaling = .sqrt
        let plateau = try ResolvedSettings(configuration, worldSize: 4)
        #expect(plateau.scaledLearningRate == 0.002 && plateau.cosineSchedule == nil)
    }
}

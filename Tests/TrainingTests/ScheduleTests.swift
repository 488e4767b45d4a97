import Testing
import Training

@Suite struct ReduceLROnPlateauTests {
    @Test func reducesAfterPatienceEpochsWithoutImprovementAndResetsTheCount() {
        var schedule = ReduceLROnPlateau(factor: 0.3, patience: 2, minimumLearningRate: 1e-8, minimumDelta: 1e-4)
        var lr = 1e-3
        let losses = [1.0, 0.9, 0.9, 0.95, 0.9, 0.9, 0.5]
        var rates: [Double] = []
        for loss in losses {
            lr = schedule.update(loss: loss, learningRate: lr)
            rates.append(lr)
        }
        // Epochs 3-4 do not improve on 0.9 → reduce after the 4th; 5-6 again → reduce after the 6th.
        #expect(rates.map { ($0 * 1e9).rounded() } == [1e6, 1e6, 1e6, 3e5, 3e5, 9e4, 9e4])
    }

    @Test func improvementSmallerThanMinimumDeltaDoesNotCount() {
        var schedule = ReduceLROnPlateau(factor: 0.5, patience: 1, minimumLearningRate: 0, minimumDelta: 0.1)
        _ = schedule.update(loss: 1.0, learningRate: 1)
        #expect(schedule.update(loss: 0.95, learningRate: 1) == 0.5)
    }

    @Test func neverGoesBelowTheFloor() {
        var schedule = ReduceLROnPlateau(factor: 0.3, patience: 1, minimumLearningRate: 1e-8, minimumDelta: 0)
        var lr = 1e-3
        for _ in 0..<100 { lr = schedule.update(loss: 1, learningRate: lr) }
        #expect(lr == 1e-8)
    }
}

@Suite struct EarlyStoppingTests {
    @Test func stopsAfterPatienceEpochsAndRemembersTheBestEpoch() {
        var stopping = EarlyStopping(patience: 3, minimumDelta: 1e-4)
        let decisions = [0.5, 0.4, 0.40005, 0.41, 0.39995].enumerated().map {
            stopping.update(value: $0.element, epoch: $0.offset)
        }
        #expect(decisions == [.improved, .improved, .noImprovement, .noImprovement, .stop])
        #expect(stopping.bestEpoch == 1)
        #expect(stopping.best == 0.4)
    }

    @Test func anImprovementResetsThePatience() {
        var stopping = EarlyStopping(patience: 2, minimumDelta: 0)
        let decisions = [1.0, 1.0, 0.5, 0.6, 0.6].enumerated().map { stopping.update(value: $0.element, epoch: $0.offset) }
        #expect(decisions == [.improved, .noImprovement, .improved, .noImprovement, .stop])
    }
}

@Suite struct CosineScheduleTests {
    @Test func warmsUpLinearlyThenFollowsHalfACosineToTheFloor() {
        let schedule = CosineSchedule(learningRate: 1e-3, minimumLearningRate: 1e-5, epochs: 12, warmupEpochs: 2)
        #expect(abs(schedule.learningRate(epoch: 0) - 0.5e-3) < 1e-15)
        #expect(abs(schedule.learningRate(epoch: 1) - 1e-3) < 1e-15)
        // Epoch 2 starts the decay at η; halfway through its 10 epochs the rate is the mean of η and η_min.
        #expect(abs(schedule.learningRate(epoch: 2) - 1e-3) < 1e-15)
        #expect(abs(schedule.learningRate(epoch: 7) - (1e-3 + 1e-5) / 2) < 1e-15)
        #expect(abs(schedule.learningRate(epoch: 12) - 1e-5) < 1e-15)
        let rates = (2...12).map { schedule.learningRate(epoch: $0) }
        #expect(zip(rates, rates.dropFirst()).allSatisfy { $0 > $1 })
    }

    @Test func withoutWarmUpTheFirstEpochUsesTheFullRate() {
        let schedule = CosineSchedule(learningRate: 0.1, minimumLearningRate: 0, epochs: 4, warmupEpochs: 0)
        // cos(π·e/4) for e = 0...3: 1, √2/2, 0, −√2/2.
        let expected = [0.1, 0.05 * (1 + 0.5.squareRoot()), 0.05, 0.05 * (1 - 0.5.squareRoot())]
        for (epoch, rate) in expected.enumerated() { #expect(abs(schedule.learningRate(epoch: epoch) - rate) < 1e-15) }
    }
}

@Suite struct EarlyStoppingMetricTests {
    @Test func scoresAreWatchedAsOneMinusTheScoreAndTheLossAsItIs() {
        #expect(EarlyStoppingMetric.loss.value(loss: 0.7, auc: 0.9, balancedAccuracy: 0.8) == 0.7)
        #expect(abs(EarlyStoppingMetric.auc.value(loss: 0.7, auc: 0.9, balancedAccuracy: 0.8) - 0.1) < 1e-12)
        #expect(abs(EarlyStoppingMetric.balancedAccuracy.value(loss: 0.7, auc: 0.9, balancedAccuracy: 0.8) - 0.2) < 1e-12)
        // A score the split cannot give never counts as an improvement over one it gave.
        #expect(EarlyStoppingMetric.auc.value(loss: 0.7, auc: nil, balancedAccuracy: nil) == 1)
    }

    /// A majority-class model has a low loss on imbalanced data but the worst balanced accuracy.
    @Test func balancedAccuracyPrefersTheEpochThatFindsTheMinorityClass() {
        var byLoss = EarlyStopping(patience: 5, minimumDelta: 1e-4)
        var byBalance = EarlyStopping(patience: 5, minimumDelta: 1e-4)
        let epochs = [(loss: 0.40, balanced: 0.50), (loss: 0.45, balanced: 0.85)]
        for (index, epoch) in epochs.enumerated() {
            _ = byLoss.update(value: EarlyStoppingMetric.loss.value(loss: epoch.loss, auc: nil, balancedAccuracy: epoch.balanced), epoch: index)
            _ = byBalance.update(
                value: EarlyStoppingMetric.balancedAccuracy.value(loss: epoch.loss, auc: nil, balancedAccuracy: epoch.balanced), epoch: index)
        }
        #expect(byLoss.bestEpoch == 0)
        #expect(byBalance.bestEpoch == 1)
    }
}

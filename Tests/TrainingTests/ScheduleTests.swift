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
            stopping.update(loss: $0.element, epoch: $0.offset)
        }
        #expect(decisions == [.improved, .improved, .noImprovement, .noImprovement, .stop])
        #expect(stopping.bestEpoch == 1)
        #expect(stopping.best == 0.4)
    }

    @Test func anImprovementResetsThePatience() {
        var stopping = EarlyStopping(patience: 2, minimumDelta: 0)
        let decisions = [1.0, 1.0, 0.5, 0.6, 0.6].enumerated().map { stopping.update(loss: $0.element, epoch: $0.offset) }
        #expect(decisions == [.improved, .noImprovement, .improved, .noImprovement, .stop])
    }
}

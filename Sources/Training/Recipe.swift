/// `--recipe`: a named set of defaults that `--config` and the command line then override.
public enum Recipe: String, CaseIterable, Sendable {
    /// bstrain's defaults, the settings grouped cross-validation supports (README, "Choosing
    /// the defaults").
    case recommended
    /// The paper's settings (Huang et al. 2021, §3.1 and §3.5), as its Chest-2 experiment ran
    /// them: a validation share drawn by image; the quarter-turn, flip and shift augmentation; three K-means groups per class with
    /// six images from each group in a batch of 36 (balanced); Adam at 1e-3 without weight
    /// decay; the learning rate times 0.3 after 20 epochs without training-loss improvement;
    /// early stopping on the validation loss after 30; the most probable class. (The paper's
    /// Chest-1 drew two groups per class in proportion: add --groups-per-class 2 --batch-mode ratio.)
    case paper

    /// The defaults of this recipe.
    public var configuration: TrainingConfiguration {
        var configuration = TrainingConfiguration()
        configuration.recipe = self
        guard self == .paper else { return configuration }
        configuration.groupPattern = nil
        configuration.augment = .paper
        configuration.groupsPerClass = "3"
        configuration.batchMode = .balanced
        configuration.batch = 36
        configuration.imageSize = 128
        configuration.loss = .crossEntropyPlusBST
        configuration.lambda = 1
        configuration.margin = nil
        configuration.bstSquare = .signed
        configuration.labelSmoothing = 0
        configuration.optimizer = .adam
        configuration.lr = 1e-3
        configuration.weightDecay = 0
        configuration.epochs = 400
        configuration.lrSchedule = .plateau
        configuration.warmupEpochs = 0
        configuration.lrFactor = 0.3
        configuration.lrPatience = 20
        configuration.minLr = 1e-8
        configuration.earlyStoppingPatience = 30
        configuration.earlyStoppingMinDelta = 1e-4
        configuration.earlyStoppingMetric = .loss
        configuration.ema = 0
        configuration.decisionThreshold = .argmax
        configuration.tta = false
        configuration.bnWarmup = false
        configuration.calibrate = false
        return configuration
    }
}

extension TrainingConfiguration {
    /// A run's configuration before a resume: the recipe's defaults (`recipe`, else the one
    /// the file names, else `recommended`), then the options the `--config` file gives, then
    /// those of the command line.
    public static func resolve(
        recipe: Recipe?, configFile: String?, commandLine: (TrainingConfiguration) throws -> TrainingConfiguration
    ) throws -> TrainingConfiguration {
        let file = try configFile.map { try load(yamlFile: $0) }
        let base = (recipe ?? file?.recipe ?? .recommended).configuration
        return try commandLine(try configFile.map { try load(yamlFile: $0, over: base) } ?? base)
    }
}

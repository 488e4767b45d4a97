import ArgumentParser
import Data
import Losses
import Networks
import Training

/// A group of training options on the command line, shared by `bstrain train` and `bstrain
/// compare`. Each property sets the `TrainingConfiguration` property of the same name, so
/// ArgumentParser's option name is the YAML key (`imageSize`: `--image-size`,
/// `image-size:`). Each is optional, so an option not given keeps the value of the base
/// configuration (defaults, `--config` or the resumed run's config.yaml), and help ends with
/// the default that `TrainingConfiguration` declares.
protocol TrainingOptionGroup: ParsableArguments, Encodable {}

extension TrainingConfiguration {
    /// This configuration with the options given in `groups`.
    func replacing(with groups: [any TrainingOptionGroup]) throws -> TrainingConfiguration {
        try groups.reduce(self) { try $0.replacing(with: $1) }
    }
}

/// Every training option but the network, the loss and the run directory: what `train`, `cv`
/// and `compare` (whose grid sets those three) all take.
struct SharedTrainingOptions: ParsableArguments {
    @OptionGroup(title: "Data")
    var data: DataOptions
    @OptionGroup(title: "Data")
    var augmentation: AugmentationOptions
    @OptionGroup(title: "Metric loss")
    var metricLoss: MetricLossOptions
    @OptionGroup(title: "Generalization")
    var generalization: GeneralizationOptions
    @OptionGroup(title: "Starting point")
    var startingPoint: StartingPointOptions
    @OptionGroup(title: "Optimisation")
    var optimization: OptimizationOptions
    @OptionGroup(title: "Execution")
    var execution: ExecutionOptions

    var groups: [any TrainingOptionGroup] { [data, augmentation, metricLoss, generalization, startingPoint, optimization, execution] }

    /// The configuration these options and `run` (the network, loss and run directory, when
    /// the command takes them) give over the recipe's defaults and the `--config` file.
    func configuration(configFile: String?, run: RunOptions? = nil) throws -> TrainingConfiguration {
        try TrainingConfiguration.resolve(recipe: generalization.recipe, configFile: configFile) {
            try $0.replacing(with: (run.map { [$0] } ?? []) + groups)
        }
    }
}

/// The cell of `bstrain compare`'s grid: only `bstrain train` and `bstrain cv` take these.
struct RunOptions: TrainingOptionGroup {
    @Option(help: .training("Network.", default: \.model))
    var model: NetworkKind?
    @Option(help: .training("Loss: L = CE + λ·metric loss.", default: \.loss))
    var loss: LossKind?
    @Option(help: .training("Run directory.", default: "runs/<date>-<model>-<loss>"))
    var runDir: String?
}

/// The images, their split and how batches are drawn from them.
struct DataOptions: TrainingOptionGroup {
    @Option(help: "Training images: a folder with one subfolder of JPEG or PNG images per class (required, here or in --config).")
    var train: String?
    @Option(help: .training("Validation images with the same classes.", default: "hold out --val-fraction of --train"))
    var val: String?
    @Option(help: .training("Share of each training class held out for validation when --val is not given.", default: \.valFraction))
    var valFraction: Double?
    @Option(help: .training("""
        Regular expression whose first capture group names the patient in each file name; kermany for \
        Kermany's chest X-rays (\(PatientGroups.kermanyPattern): person1000 in person1000_bacteria_2931.jpeg, \
        IM-0115 in IM-0115-0001.jpeg); none for every image its own patient. The validation share is whole \
        patients (a file the pattern does not match is a patient of its own), and a --val or --test sharing \
        patients with --train is warned about.
        """, default: \.groupPattern))
    var groupPattern: String?
    @Option(help: .training("CSV of path,group rows naming each training image's patient; replaces --group-pattern.", default: "none"))
    var groups: String?
    @Option(help: .training("Held-out test images, evaluated once at the end with the best weights.", default: "none"))
    var test: String?
    @Option(help: .training("Side of the square input images in pixels, a multiple of 32.", default: \.imageSize))
    var imageSize: Int?
    @Option(help: .training("1 (grey) or 3 (colour) input channels.", default: \.channels))
    var channels: Int?
    @Flag(inversion: .prefixedNo, help: .training("Skip bad images (corrupt, or neither JPEG nor PNG) (listed in skipped.csv) instead of stopping.", default: \.skipBad))
    var skipBad: Bool?
    @Option(help: .training(InferenceOptions.maxImagePixelsHelp, default: \.maxImagePixels))
    var maxImagePixels: Int?
    @Option(help: .training("K-means data-mining groups per class: one count or one per class, e.g. \"2,3\".", default: \.groupsPerClass))
    var groupsPerClass: String?
    @Option(help: .training("""
        Batch composition: ratio (groups in proportion to their size, so classes as in the data), balanced \
        (every group equally, so classes equally only when each has as many groups), class-balanced (every \
        class equally, its groups in proportion to their size) or random (a plain shuffle).
        """, default: \.batchMode))
    var batchMode: BatchMode?
}

/// On-the-fly augmentation, a group of its own because `--no-augment`, kept from when
/// `--augment` was a switch, sets the same configuration property as `--augment`.
struct AugmentationOptions: TrainingOptionGroup {
    // Parsed `.next`: `.scanningForValue`, the default, takes `--augment=radiograph --lr 1` as a
    // bare `--augment` because an option follows.
    @Option(defaultAsFlag: AugmentationKind.paper, parsing: .next, help: .training("""
        Augment every sample afresh each epoch: paper (the default when no set is named) rotates by \
        90/180/270°, flips and shifts by up to 5 pixels (paper §3.5); radiograph rotates by up to 10°, \
        scales by 0.9-1.1, shifts by up to 8 %, and jitters brightness and contrast by up to 10 % and \
        gamma within 0.8-1.25, without flips (chest X-rays have a left and a right); none turns it off.
        """, default: \.augment))
    var augment: AugmentationKind?
    @Flag(name: .customLong("no-augment"), help: "The same as --augment none.")
    var noAugment = false

    func validate() throws {
        if noAugment, let augment, augment != .none {
            throw ValidationError("--augment \(augment.rawValue) and --no-augment contradict each other: give one")
        }
    }

    private enum EncodedKeys: String, CodingKey { case augment }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: EncodedKeys.self)
        try container.encode(noAugment ? AugmentationKind.none : augment, forKey: .augment)
    }
}

/// The metric loss added to cross-entropy, L = CE + λ·metric loss (eq. 7).
struct MetricLossOptions: TrainingOptionGroup {
    @Option(help: .training(
        "Margin m of the metric loss; BSTriplet needs 0 ≤ m ≤ 1.",
        default: MetricLossKind.allCases.map { "\(defaultText($0.defaultMargin)) for \($0.rawValue)" }.joined(separator: ", ")))
    var margin: Double?
    @Option(help: .training("Weight λ of the metric loss.", default: \.lambda))
    var lambda: Double?
    @Option(help: .training("""
        The square g in BSTriplet (eq. 3): signed, x·|x|, keeps the sign of similarities, so \
        dissimilar negatives lower the loss and the loss stays within [0, 1 + m] as the paper states; \
        plain, x², is the literal text and rewards negatives for being similar; linear, x, for ablation.
        """, default: \.bstSquare))
    var bstSquare: BatchSimilarityTripletLoss.Square?
}

/// What makes a model trained on some patients hold up on others (docs/method.md,
/// "Generalization options"). Each is off by default.
struct GeneralizationOptions: TrainingOptionGroup {
    @Option(help: .training("""
        Named defaults that --config and the other options override: recommended (bstrain's, chosen by grouped \
        cross-validation; the defaults shown here) or paper (the paper's Chest-2 settings: --augment paper, \
        --groups-per-class 3, --batch-mode balanced, the plateau schedule, early stopping on the validation loss, \
        the most probable class).
        """, default: \.recipe))
    var recipe: Recipe?
    @Option(help: .training(
        "Label smoothing ε of the training cross-entropy: targets (1 − ε)·one-hot + ε/classes, 0 ≤ ε < 1; 0 is off.",
        default: \.labelSmoothing))
    var labelSmoothing: Double?
    @Option(help: .training("""
        τ of the logit-adjusted cross-entropy (Menon et al. 2021), for rare classes: training adds τ·log(share of \
        the class among the training images) to each logit, so the rare classes must win by a larger margin; \
        prediction uses the plain logits. 1 is the paper's choice; 0 is off.
        """, default: \.logitAdjustment))
    var logitAdjustment: Double?
    @Option(help: .training("""
        Decay d of an exponential moving average of the weights, θ̄ ← d·θ̄ + (1 − d)·θ after every step, \
        0 ≤ d < 1 (e.g. 0.999, about the last 1000 steps): validation, best and last weights and the \
        final report use θ̄; 0 is off.
        """, default: \.ema))
    var ema: Double?
    @Option(help: .training("""
        How the saved model reads a class: argmax (the most probable class, the paper's) or youden (for two \
        classes, the threshold on p(second class) that maximises Youden's J, equally the balanced accuracy, on the \
        validation split, stored in weights/best.safetensors and used by the final report, predict and eval; for \
        more classes, the most probable class).
        """, default: \.decisionThreshold))
    var decisionThreshold: DecisionThreshold?
    @Flag(inversion: .prefixedNo, help: .training("""
        Test-time augmentation: the final report, the --decision-threshold choice, predict and eval average each \
        image's probabilities over 5 views (itself, turned ±5°, scaled 0.95 and 1.05); recorded in the weights. \
        Validation during training stays one view.
        """, default: \.tta))
    var tta: Bool?
    @Flag(inversion: .prefixedNo, help: .training("""
        Batch normalisation's running statistics start as the plain mean of the training batches' (momentum \
        max(m, 1/step)) rather than as an average from 0 and 1 that takes 1/m steps to forget its start: with \
        MobileNet-V3's m = 0.01 and a training set of a few hundred images, the latter leaves the saved model \
        predicting one class.
        """, default: \.bnWarmup))
    var bnWarmup: Bool?
    @Flag(inversion: .prefixedNo, help: .training("""
        Temperature scaling: divide the logits by one temperature fitted on the validation split with the best \
        weights (minimum negative log-likelihood), so the probabilities are as sure as they are right; the class \
        each image gets does not change. Stored in weights/best.safetensors and used by the final report, predict \
        and eval.
        """, default: \.calibrate))
    var calibrate: Bool?
}

/// Where training starts: pretrained weights, and a frozen backbone (fine-tuning, cRT).
struct StartingPointOptions: TrainingOptionGroup {
    @Option(help: .training("""
        Weights to start from: a bstrain weights file (a run's weights/best.safetensors) or a torchvision-style \
        state dict saved with safetensors.torch.save_file(model.state_dict(), FILE) (docs/pretrained-weights.md). \
        A 3-channel first convolution is summed to 1 channel for grey images; a classifier of another class count \
        starts afresh.
        """, default: "the seed's initialisation"))
    var initFrom: String?
    @Option(help: .training("""
        Epochs at the start in which only the classifier learns: the backbone's weights and batch-norm \
        statistics stay as --init-from gave them. At --epochs or more, the whole run: with class-balanced batches \
        (--batch-mode class-balanced) and --loss ce that is the classifier re-training of decoupled training \
        (cRT, Kang et al. 2020).
        """, default: \.freezeBackbone))
    var freezeBackbone: Int?
}

/// The optimizer and the schedule (paper §3.1).
struct OptimizationOptions: TrainingOptionGroup {
    @Option(help: .training(
        "Optimizer: adam (the paper's; --weight-decay is L2), sgd, or adamw (Adam with --weight-decay decoupled: θ ← θ·(1 − lr·decay) each step).",
        default: \.optimizer))
    var optimizer: OptimizerKind?
    @Option(help: .training("Initial learning rate (of a global batch of 36 with --lr-scaling linear or sqrt).", default: \.lr))
    var lr: Double?
    @Option(help: .training("""
        How the learning rate follows --batch: none, linear (--lr · batch/36, Goyal et al. 2017; pair it with \
        --warmup-epochs) or sqrt (--lr · √(batch/36), gentler, for Adam), for a global batch that grows with the nodes.
        """, default: \.lrScaling))
    var lrScaling: LearningRateScaling?
    @Option(help: .training("Weight decay.", default: \.weightDecay))
    var weightDecay: Double?
    @Option(help: .training("Momentum of --optimizer sgd.", default: \.momentum))
    var momentum: Double?
    @Option(help: .training("Global batch size N_b, split over the ranks.", default: \.batch))
    var batch: Int?
    @Option(help: .training("Maximum number of epochs.", default: \.epochs))
    var epochs: Int?
    @Option(help: .training("Iterations per epoch.", default: "training images / batch, rounded up"))
    var iterationsPerEpoch: Int?
    @Option(help: .training("""
        Learning-rate schedule: plateau (multiply by --lr-factor when the training loss stalls for --lr-patience \
        epochs, the paper's) or cosine (after --warmup-epochs of linear warm-up, from --lr down to --min-lr at \
        the end of --epochs along half a cosine).
        """, default: \.lrSchedule))
    var lrSchedule: LearningRateSchedule?
    @Option(help: .training("Epochs of linear warm-up from --lr/N to --lr before the cosine decay (--lr-schedule cosine).", default: \.warmupEpochs))
    var warmupEpochs: Int?
    @Option(help: .training("Learning-rate reduction factor on a training-loss plateau.", default: \.lrFactor))
    var lrFactor: Double?
    @Option(help: .training("Epochs without training-loss improvement before the learning rate is reduced.", default: \.lrPatience))
    var lrPatience: Int?
    @Option(help: .training("Learning-rate floor.", default: \.minLr))
    var minLr: Double?
    @Option(help: .training("Epochs without improvement of --early-stopping-metric before stopping.", default: \.earlyStoppingPatience))
    var earlyStoppingPatience: Int?
    @Option(help: .training("Smallest improvement of --early-stopping-metric that counts.", default: \.earlyStoppingMinDelta))
    var earlyStoppingMinDelta: Double?
    @Option(help: .training("""
        Validation figure that early stopping and the best weights follow: loss (the paper's), auc, or \
        balanced-accuracy (the mean of the per-class sensitivities, which calling every image the majority \
        class cannot raise).
        """, default: \.earlyStoppingMetric))
    var earlyStoppingMetric: EarlyStoppingMetric?
}

/// How the run executes: randomness, threads, ranks, progress.
struct ExecutionOptions: TrainingOptionGroup {
    @Option(help: .training("Seed of every random choice: split, clusters, batches, initialisation, augmentation.", default: \.seed))
    var seed: UInt64?
    @Option(help: .training("Threads per rank for the engine and OpenBLAS.", default: "cores / ranks on this node"))
    var threads: Int?
    @Flag(inversion: .prefixedNo, help: .training("Batch-norm statistics over the global batch instead of each rank's slice.", default: \.syncBn))
    var syncBn: Bool?
    @Option(help: .training("Size of the gradient all-reduce buckets in MB.", default: \.bucketMB))
    var bucketMB: Double?
    @Flag(inversion: .prefixedNo, help: .training(
        "Skip a step whose loss or gradients are NaN or infinite (with a warning) instead of stopping the run.", default: \.skipNonfinite))
    var skipNonfinite: Bool?
    @Option(help: .training(
        "Progress: text (progress bar and epoch lines), jsonl (one JSON object per line) or quiet (epoch lines only).", default: \.logFormat))
    var logFormat: LogFormat?
}

extension ArgumentHelp {
    /// `text`, then the default of the option at `keyPath` as `TrainingConfiguration` sets it,
    /// so help and code cannot disagree.
    static func training<Value>(_ text: String, default keyPath: KeyPath<TrainingConfiguration, Value>) -> ArgumentHelp {
        training(text, default: defaultText(TrainingConfiguration()[keyPath: keyPath]))
    }

    /// `text`, then a default that depends on the run, in words.
    static func training(_ text: String, default description: String) -> ArgumentHelp {
        ArgumentHelp("\(text) (default: \(description))")
    }
}

/// A default value as help shows it: a choice by its name, a switch as on or off, a number as
/// Swift writes it but without a trailing ".0".
func defaultText(_ value: Any) -> String {
    let optional = Mirror(reflecting: value)
    if optional.displayStyle == .optional, let wrapped = optional.children.first?.value { return defaultText(wrapped) }
    let text = switch value {
    case let choice as any OptionChoice: choice.rawValue
    case let isOn as Bool: isOn ? "on" : "off"
    default: "\(value)"
    }
    return value is any BinaryFloatingPoint && text.hasSuffix(".0") ? String(text.dropLast(2)) : text
}

/// The default of the option at `keyPath`, as help shows it.
func defaultText<Value>(_ keyPath: KeyPath<TrainingConfiguration, Value>) -> String {
    defaultText(TrainingConfiguration()[keyPath: keyPath])
}

// The option groups are read as a configuration file would be (`TrainingConfiguration
// .replacing(with:)`), which needs them Encodable; an option encodes as the value it holds,
// null when not given.
extension Option: @retroactive Encodable where Value: Encodable {
    public func encode(to encoder: Encoder) throws {
        try wrappedValue.encode(to: encoder)
    }
}

extension Flag: @retroactive Encodable where Value: Encodable {
    public func encode(to encoder: Encoder) throws {
        try wrappedValue.encode(to: encoder)
    }
}

// The training options' choices as command-line values (BatchMode's is in DataCommand.swift); `--help` lists their names.
extension LogFormat: ExpressibleByArgument {}
extension OptimizerKind: ExpressibleByArgument {}
extension AugmentationKind: ExpressibleByArgument {}
extension LearningRateSchedule: ExpressibleByArgument {}
extension LearningRateScaling: ExpressibleByArgument {}
extension EarlyStoppingMetric: ExpressibleByArgument {}
extension DecisionThreshold: ExpressibleByArgument {}
extension Recipe: ExpressibleByArgument {}

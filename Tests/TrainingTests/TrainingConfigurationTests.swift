import Data
import Foundation
import Losses
import Networks
import Testing
import Training

@Suite struct TrainingConfigurationTests {
    func temporaryFile(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "bstrain-config-\(UUID().uuidString).yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A run started before --group-pattern, --early-stopping-metric, --decision-threshold and
    /// --tta existed wrote a config.yaml without them, and ran as they are when off.
    @Test func aSavedRunWithoutTheNewerOptionsResumesWithThemOff() throws {
        var old = Recipe.paper.configuration
        old.train = "data/train"
        let text = try old.yaml().split(separator: "\n").filter { line in
            !["recipe:", "group-pattern:", "early-stopping-metric:", "decision-threshold:", "tta:"].contains { line.hasPrefix($0) }
        }.joined(separator: "\n")
        let path = try temporaryFile(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let saved = try TrainingConfiguration.load(yamlFile: path, over: .savedRunBase)
        #expect(saved.groupPattern == nil && saved.earlyStoppingMetric == .loss && saved.decisionThreshold == .argmax && !saved.tta)
        #expect(try TrainingConfiguration.load(yamlFile: path).groupPattern == "kermany")
    }

    @Test func aPartialYAMLFileKeepsTheOtherDefaults() throws {
        let path = try temporaryFile("model: shufflenetv2\nbatch: 24\ngroups-per-class: 3\nsync-bn: true\nlr: 0.01\nval: null\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let configuration = try TrainingConfiguration.load(yamlFile: path)
        var expected = TrainingConfiguration()
        expected.model = NetworkKind(rawValue: "shufflenetv2")!
        expected.batch = 24
        expected.groupsPerClass = "3"
        expected.syncBn = true
        expected.lr = 0.01
        #expect(configuration == expected)
    }

    @Test func unknownOptionsAreRefusedByName() throws {
        let path = try temporaryFile("batch-size: 24\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect { try TrainingConfiguration.load(yamlFile: path) } throws: { error in
            "\(error)".contains("batch-size")
        }
    }

    @Test func anUnknownChoiceIsRefusedWithTheNamesItCouldHaveBeen() throws {
        let path = try temporaryFile("batch-mode: stratified\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect { try TrainingConfiguration.load(yamlFile: path) } throws: { error in
            "\(error)" == "--batch-mode stratified is not valid: expected one of ratio, balanced, random, class-balanced"
        }
    }

    @Test func augmentReadsTheSwitchOfOlderConfigFilesAsWellAsTheSetNames() throws {
        let cases: [(String, AugmentationKind)] = [
            ("true", .paper), ("false", .none), ("paper", .paper), ("radiograph", .radiograph), ("none", .none),
        ]
        for (value, expected) in cases {
            let path = try temporaryFile("augment: \(value)\n")
            defer { try? FileManager.default.removeItem(atPath: path) }
            #expect(try TrainingConfiguration.load(yamlFile: path).augment == expected, "augment: \(value)")
        }
        let path = try temporaryFile("augment: sometimes\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect { try TrainingConfiguration.load(yamlFile: path) } throws: { error in
            "\(error)" == "--augment sometimes is not valid: expected one of none, paper, radiograph"
        }
    }

    @Test func aValueOfTheWrongTypeIsRefusedByOptionName() throws {
        let path = try temporaryFile("image-size: large\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect { try TrainingConfiguration.load(yamlFile: path) } throws: { error in
            "\(error)".contains("image-size 'large'")
        }
    }

    @Test func theResolvedYAMLListsEveryOptionAndReadsBack() throws {
        var configuration = TrainingConfiguration()
        configuration.train = "data/train"
        let text = try configuration.yaml()
        for key in TrainingConfiguration.optionNames {
            #expect(text.contains("\n\(key):") || text.hasPrefix("\(key):"), "missing \(key)")
        }
        let path = try temporaryFile(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try TrainingConfiguration.load(yamlFile: path) == configuration)
    }

    @Test func theDefaultsAreWrittenAsConfigYAMLHasAlwaysBeen() throws {
        // Choices by their names, numbers as Yams writes them, unset options last as null.
        var configuration = TrainingConfiguration()
        configuration.train = "data/train"
        #expect(try configuration.yaml() == """
            recipe: recommended
            train: data/train
            val-fraction: 1e-1
            group-pattern: kermany
            image-size: 128
            channels: 1
            augment: radiograph
            skip-bad: false
            max-image-pixels: 89478485
            skip-nonfinite: false
            groups-per-class: '2'
            batch-mode: class-balanced
            model: mobilenetv3-small
            loss: ce+bst
            lambda: 1e+0
            bst-square: signed
            label-smoothing: 0e+0
            logit-adjustment: 0e+0
            freeze-backbone: 0
            optimizer: adam
            lr: 1e-3
            lr-scaling: none
            weight-decay: 0e+0
            momentum: 9e-1
            batch: 36
            epochs: 60
            lr-factor: 3e-1
            lr-patience: 20
            min-lr: 1e-08
            early-stopping-patience: 30
            early-stopping-min-delta: 1e-4
            early-stopping-metric: balanced-accuracy
            decision-threshold: youden
            tta: true
            calibrate: false
            bn-warmup: true
            ema: 9.9e-1
            lr-schedule: cosine
            warmup-epochs: 0
            seed: 1
            sync-bn: false
            bucket-mb: 4e+0
            log-format: text
            val: null
            groups: null
            test: null
            margin: null
            init-from: null
            iterations-per-epoch: null
            threads: null
            run-dir: null

            """)
    }

    @Test func optionNamesAreThePropertiesInKebabCase() {
        #expect(TrainingConfiguration.optionName("imageSize") == "image-size")
        #expect(TrainingConfiguration.optionName("earlyStoppingMinDelta") == "early-stopping-min-delta")
        #expect(TrainingConfiguration.optionName("bucketMB") == "bucket-mb")
        #expect(TrainingConfiguration.optionName("URLSession") == "url-session")
        #expect(TrainingConfiguration.optionNames.count == 51)
        #expect(Set(TrainingConfiguration.optionNames).count == TrainingConfiguration.optionNames.count)
    }

    /// Options as the command line gives them: only the set ones.
    struct GivenOptions: Encodable {
        var lr: Double? = 0.01
        var loss: LossKind? = .crossEntropyPlusLifted
        var val: String?
        var augment: AugmentationKind?
    }

    @Test func replacingSetsTheGivenOptionsAndKeepsTheOthers() throws {
        var base = TrainingConfiguration()
        base.val = "data/val"
        base.augment = .paper
        let replaced = try base.replacing(with: GivenOptions())
        var expected = base
        expected.lr = 0.01
        expected.loss = .crossEntropyPlusLifted
        #expect(replaced == expected)
    }

    // MARK: - Files no configuration is: refused before Yams reads them

    /// The message of the error that loading `text` as a configuration file throws, with the
    /// file's path written as FILE; nil when it loads.
    func errorLoading(_ text: String) throws -> String? {
        let path = try temporaryFile(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try TrainingConfiguration.load(yamlFile: path)
            return nil
        } catch {
            return "\(error)".replacingOccurrences(of: path, with: "FILE")
        }
    }

    @Test func aDeeplyNestedListIsRefusedWithItsLine() throws {
        // Yams composes recursively: 100,000 levels overflowed the stack.
        #expect(try errorLoading("epochs: 3\ntrain: " + String(repeating: "[", count: 100_000) + "\n")
            == "configuration file FILE nests too deeply near line 2: over 32 levels of indentation and brackets; write one option: value per line, e.g. image-size: 128")
    }

    @Test func deeplyNestedKeysAreRefusedAtTheFirstLineTooDeep() throws {
        let indented = (0..<1_000).map { String(repeating: " ", count: $0) + "a:" }.joined(separator: "\n")
        #expect(try errorLoading(indented)?.contains("nests too deeply near line 17:") == true)
        let bracketed = "train: " + String(repeating: "{a: ", count: 20_000)
        #expect(try errorLoading(bracketed)?.contains("nests too deeply near line 1:") == true)
    }

    @Test func aFileOverAMegabyteIsRefusedBeforeItIsRead() throws {
        #expect(try errorLoading("train: data\n" + String(repeating: "# padding\n", count: 110_000))
            == "configuration file FILE is 1100012 bytes, over the 1048576 bytes read; a configuration is a few option: value lines, is this the right file?")
    }

    @Test func aFolderOrDeviceIsRefusedAsNotARegularFile() throws {
        for path in [NSTemporaryDirectory(), "/dev/zero"] {
            #expect { try TrainingConfiguration.load(yamlFile: path) } throws: { error in
                "\(error)" == "cannot read configuration file \(path): it is a folder, device or pipe, not a regular file; name a YAML file"
            }
        }
    }

    @Test func aListWhereAValueBelongsIsRefusedWithItsLine() throws {
        // An alias may make a list of billions of elements from a few lines; it is refused
        // before anything expands it.
        #expect(try errorLoading("epochs: 3\ntrain: &a [x, x]\nval: [*a, *a]\n")
            == "configuration file FILE line 2 has a list or mapping where an option or its value belongs; write one option: value per line, e.g. image-size: 128")
    }

    @Test func aMappingUsedAsAKeyIsRefusedWithItsLine() throws {
        #expect(try errorLoading("? {a: 1}\n: 2\n")?.hasPrefix("configuration file FILE line 1 has a list or mapping") == true)
    }

    @Test func aBaseSixtyNumberIsRefusedByOptionNameInsteadOfTrapping() throws {
        // YAML 1.1 base 60; Yams 5 trapped on the overflow of this one.
        #expect(try errorLoading("image-size: 1:0:0:0:0:0:0:0:0:0:0\n")
            == "configuration file FILE is not valid: image-size '1:0:0:0:0:0:0:0:0:0:0': expected a value of type Int")
    }

    @Test func aValueWithAColonIsTextForATextOption() throws {
        let path = try temporaryFile("train: 12:30\nrun-dir: runs/1:0\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let configuration = try TrainingConfiguration.load(yamlFile: path)
        #expect(configuration.train == "12:30")
        #expect(configuration.runDir == "runs/1:0")
    }
}

@Suite struct ResumeRuleTests {
    @Test func aResumeMayChangeHowLongAndHowARunExecutesButNotWhatItComputes() throws {
        var saved = Recipe.paper.configuration
        saved.train = "data/train"
        var continued = saved
        continued.epochs = 800
        continued.threads = 4
        continued.runDir = "runs/a"
        try saved.checkContinued(by: continued, runDirectory: "runs/a")

        for change in [{ (c: inout TrainingConfiguration) in c.batch = 32 }, { $0.iterationsPerEpoch = 10 }, { $0.lrPatience = 3 },
                       { $0.model = NetworkKind(rawValue: "shufflenetv2")! }] {
            var changed = saved
            change(&changed)
            #expect(throws: TrainingError.self) { try saved.checkContinued(by: changed, runDirectory: "runs/a") }
        }
        var batch = saved
        batch.batch = 32
        do {
            try saved.checkContinued(by: batch, runDirectory: "runs/a")
        } catch {
            #expect("\(error)".contains("cannot change --batch 36 → 32"))
        }
    }

    /// The cosine schedule spans --epochs, so its rates after the resume would change.
    @Test func aCosineRunKeepsItsEpochs() throws {
        var saved = TrainingConfiguration()
        saved.train = "data/train"
        #expect(saved.lrSchedule == .cosine)
        var longer = saved
        longer.epochs = saved.epochs + 10
        #expect { try saved.checkContinued(by: longer, runDirectory: "runs/a") } throws: { "\($0)".contains("--epochs") }
        var faster = saved
        faster.threads = 2
        try saved.checkContinued(by: faster, runDirectory: "runs/a")
    }
}

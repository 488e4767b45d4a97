import ArgumentParser
import Data
import Foundation
import Testing
import Training
@testable import BSTrainCLI

@Suite struct TrainingOptionsTests {
    /// Every training option, each set to a value other than its default.
    static let everyOption = [
        "--model", "tiny", "--loss", "ce+lifted", "--run-dir", "runs/every",
        "--train", "data/train", "--val", "data/val", "--val-fraction", "0.2", "--group-pattern", "^(p\\d+)_",
        "--groups", "groups.csv", "--test", "data/test",
        "--image-size", "64", "--channels", "3", "--augment", "--skip-bad", "--max-image-pixels", "1000000",
        "--groups-per-class", "2,3",
        "--batch-mode", "balanced",
        "--margin", "0.5", "--lambda", "0.5", "--bst-square", "plain",
        "--recipe", "paper", "--label-smoothing", "0.1", "--logit-adjustment", "1",
        "--init-from", "pretrained.safetensors", "--freeze-backbone", "3", "--ema", "0.9", "--lr-schedule", "plateau", "--warmup-epochs", "2",
        "--optimizer", "sgd", "--lr", "0.01", "--lr-scaling", "sqrt", "--weight-decay", "1e-4", "--momentum", "0.8", "--batch", "24",
        "--epochs", "5", "--iterations-per-epoch", "7", "--lr-factor", "0.5", "--lr-patience", "3", "--min-lr", "1e-6",
        "--early-stopping-patience", "4", "--early-stopping-min-delta", "0.01", "--early-stopping-metric", "auc",
        "--decision-threshold", "argmax", "--no-tta", "--no-bn-warmup", "--calibrate",
        "--seed", "7", "--threads", "2", "--sync-bn", "--bucket-mb", "1", "--skip-nonfinite", "--log-format", "jsonl",
    ]

    func temporaryFolder() throws -> String {
        let path = NSTemporaryDirectory() + "bstrain-options-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func everyOptionGivenOnTheCommandLineReachesTheConfigurationAndReadsBackFromItsYAML() throws {
        let configuration = try TrainCommand.parse(Self.everyOption).resolvedConfiguration()
        #expect(try configuration.optionsDiffering(from: TrainingConfiguration()) == TrainingConfiguration.optionNames.sorted())
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try configuration.yaml().write(toFile: "\(folder)/config.yaml", atomically: true, encoding: .utf8)
        #expect(try TrainingConfiguration.load(yamlFile: "\(folder)/config.yaml") == configuration)
    }

    @Test func optionsGivenOnTheCommandLineWinOverAConfigFileAndTheOthersKeepIts() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "train: data/train\nlr: 0.02\naugment: true\nepochs: 9\n".write(toFile: "\(folder)/base.yaml", atomically: true, encoding: .utf8)
        let configuration = try TrainCommand.parse(["--config", "\(folder)/base.yaml", "--lr", "0.05", "--no-augment"])
            .resolvedConfiguration()
        var expected = TrainingConfiguration()
        expected.train = "data/train"
        expected.lr = 0.05
        expected.augment = .none
        expected.epochs = 9
        #expect(configuration == expected)
    }

    @Test func augmentAloneIsThePaperSetAndTakesASetName() throws {
        func augment(_ arguments: [String]) throws -> AugmentationKind {
            try TrainCommand.parse(arguments).resolvedConfiguration().augment
        }
        #expect(try augment([]) == .radiograph)
        #expect(try augment(["--augment"]) == .paper)
        #expect(try augment(["--augment", "--lr", "0.1"]) == .paper)
        #expect(try augment(["--augment", "radiograph"]) == .radiograph)
        #expect(try augment(["--augment=radiograph", "--lr", "0.1"]) == .radiograph)
        #expect(try augment(["--augment", "none"]) == .none)
        #expect(try augment(["--no-augment"]) == .none)
        #expect(throws: (any Error).self) { try TrainCommand.parse(["--augment", "radiograph", "--no-augment"]) }
        #expect(throws: (any Error).self) { try TrainCommand.parse(["--augment", "sideways"]) }
    }

    @Test func aResumedRunKeepsItsOwnConfigurationButForTheOptionsGiven() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var saved = try TrainCommand.parse(Self.everyOption).resolvedConfiguration()
        try saved.yaml().write(toFile: "\(folder)/config.yaml", atomically: true, encoding: .utf8)
        let resumed = try TrainCommand.parse(["--resume", folder, "--epochs", "8"]).resolvedConfiguration()
        saved.runDir = folder
        saved.epochs = 8
        #expect(resumed == saved)
    }

    /// The help of `command`, one entry per option: its names, then its text (which help puts
    /// on the following line when the names are long).
    func optionEntries(_ command: ParsableCommand.Type) -> [String] {
        var entries: [String] = []
        for line in BSTrain.helpMessage(for: command, columns: 100_000).split(separator: "\n", omittingEmptySubsequences: false) {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.hasPrefix("-") {
                entries.append(text)
            } else if !text.isEmpty, line.hasPrefix(" "), !entries.isEmpty {
                entries[entries.count - 1] += " " + text
            }
        }
        return entries
    }

    @Test func helpShowsEveryOptionWithTheDefaultTheConfigurationSets() {
        let entries = optionEntries(TrainCommand.self)
        for property in Mirror(reflecting: TrainingConfiguration()).children {
            let name = TrainingConfiguration.optionName(property.label!)
            let entry = entries.first { $0.hasPrefix("--\(name) ") || $0.hasPrefix("--\(name)/") }
            #expect(entry != nil, "bstrain help train lacks --\(name)")
            guard let entry, name != "train" else { continue }
            let isUnset = Mirror(reflecting: property.value).displayStyle == .optional && Mirror(reflecting: property.value).children.isEmpty
            // An unset optional default depends on the run and is described in words.
            let expected = isUnset ? "(default: " : "(default: \(defaultText(property.value)))"
            #expect(entry.contains(expected), "--\(name): \(entry)")
        }
    }

    @Test func compareTakesEveryTrainingOptionButThoseItsGridSets() {
        let entries = optionEntries(CompareCommand.self)
        for name in TrainingConfiguration.optionNames {
            let listed = entries.contains { $0.hasPrefix("--\(name) ") || $0.hasPrefix("--\(name)/") }
            #expect(listed == !["model", "loss", "run-dir"].contains(name), "--\(name)")
        }
    }

    @Test func defaultsAreShownAsTheyAreTyped() {
        #expect(defaultText(1e-3) == "0.001")
        #expect(defaultText(4.0) == "4")
        #expect(defaultText(Float(0.9)) == "0.9")
        #expect(defaultText(true) == "on")
        #expect(defaultText(OptimizerKind.adam) == "adam")
        #expect(defaultText(36) == "36")
    }
}

@Suite struct RecipeTests {
    func configuration(_ arguments: [String]) throws -> TrainingConfiguration {
        try TrainCommand.parse(arguments).resolvedConfiguration()
    }

    @Test func thePaperRecipeSetsTheChest2SettingsAndOptionsStillWin() throws {
        let paper = try configuration(["--recipe", "paper"])
        #expect(paper.recipe == .paper)
        #expect(paper.augment == .paper && paper.groupsPerClass == "3" && paper.batchMode == .balanced)
        #expect(paper.earlyStoppingMetric == .loss && paper.decisionThreshold == .argmax && paper.ema == 0)
        #expect(try configuration(["--recipe", "paper", "--batch-mode", "ratio"]).batchMode == .ratio)
        #expect(try configuration([]) == Recipe.recommended.configuration)
    }

    @Test func aConfigFileMayNameTheRecipeAndTheCommandLineOverridesIt() throws {
        let path = NSTemporaryDirectory() + "bstrain-recipe-\(UUID().uuidString).yaml"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "recipe: paper\nepochs: 7\n".write(toFile: path, atomically: true, encoding: .utf8)
        let fromFile = try configuration(["--config", path])
        #expect(fromFile.recipe == .paper && fromFile.augment == .paper && fromFile.epochs == 7)
        let overridden = try configuration(["--config", path, "--recipe", "recommended"])
        #expect(overridden.recipe == .recommended && overridden.augment == TrainingConfiguration().augment && overridden.epochs == 7)
    }
}

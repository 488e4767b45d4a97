@testable import Data
import Foundation
import Testing

@Suite struct ImageFolderDatasetTests {
    @Test func validationSplitIsStratifiedSeededAndDisjoint() throws {
        let root = Fixtures.imageFolder(counts: [20, 10], size: 8)
        let dataset = try ImageFolderDataset(train: root, validationFraction: 0.2, seed: 7)
        let validation = try #require(dataset.validation)
        #expect(validation.classCounts == [4, 2])
        #expect(dataset.train.classCounts == [16, 8])
        #expect(Set(validation.images.map(\.path)).isDisjoint(with: dataset.train.images.map(\.path)))
        #expect(dataset.train.images.map(\.path) == dataset.train.images.map(\.path).sorted())

        let again = try ImageFolderDataset(train: root, validationFraction: 0.2, seed: 7)
        #expect(again.validation!.images == validation.images)
        let otherSeed = try ImageFolderDataset(train: root, validationFraction: 0.2, seed: 8)
        #expect(otherSeed.validation!.images != validation.images)
    }

    @Test func everyClassKeepsATrainingImageAndGivesOneToValidation() throws {
        let root = Fixtures.imageFolder(counts: [2, 3], size: 8)
        let dataset = try ImageFolderDataset(train: root, validationFraction: 0.01)
        #expect(dataset.train.classCounts == [1, 2])
        #expect(dataset.validation!.classCounts == [1, 1])
        let most = try ImageFolderDataset(train: root, validationFraction: 0.99)
        #expect(most.train.classCounts == [1, 1])
    }

    /// It used to leave the class out of validation, which then failed as "holds no images".
    @Test func classWithOneImageCannotGiveOneToValidation() throws {
        let root = Fixtures.imageFolder(counts: [3, 1], size: 8)
        #expect(throws: DatasetError.tooFewImagesToHoldOut(className: "class-1", images: 1)) {
            try ImageFolderDataset(train: root, validationFraction: 0.1)
        }
        #expect(try ImageFolderDataset(train: root, validation: root).train.classCounts == [3, 1])
        #expect(try ImageFolderDataset(train: root, validationFraction: 0).train.classCounts == [3, 1])
    }

    @Test func zeroFractionHoldsNothingOut() throws {
        let dataset = try ImageFolderDataset(train: Fixtures.imageFolder(counts: [2, 2], size: 8), validationFraction: 0)
        #expect(dataset.validation == nil)
        #expect(dataset.train.count == 4)
    }

    @Test func separateFoldersMustHaveTheSameClasses() throws {
        let train = Fixtures.imageFolder(counts: [2, 2], size: 8)
        let validation = Fixtures.imageFolder(counts: [1, 1], size: 8)
        let dataset = try ImageFolderDataset(train: train, validation: validation, test: validation)
        #expect(dataset.validation!.count == 2 && dataset.train.count == 4 && dataset.test!.count == 2)

        let other = Fixtures.imageFolder(counts: [1, 1, 1], size: 8)
        #expect(throws: DatasetError.mismatchedClasses(
            split: "test", path: other.path, expected: ["class-0", "class-1"], found: ["class-0", "class-1", "class-2"])
        ) {
            try ImageFolderDataset(train: train, validation: validation, test: other)
        }
    }

    @Test func fractionOutsideTheUnitIntervalIsRefused() {
        #expect(throws: DatasetError.self) {
            try ImageFolderDataset(train: Fixtures.imageFolder(counts: [2, 2], size: 8), validationFraction: 1)
        }
    }
}

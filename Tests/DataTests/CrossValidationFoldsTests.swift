@testable import Data
import Foundation
import Testing

@Suite struct CrossValidationFoldsTests {
    @Test func everyImageIsTestedOnceAndNoPatientCrossesASplit() throws {
        let root = PatientGroupingTests.patientFolder()
        let folds = try ImageFolderDataset.crossValidationFolds(
            of: root, folds: 3, grouping: .pattern("^(p\\d+)_"), validationFraction: 0.2, seed: 2)
        #expect(folds.count == 3)
        let tested = folds.flatMap { $0.test!.images.map(\.path) }
        #expect(tested.count == Set(tested).count)
        #expect(Set(tested) == Set(try ImageFolder.scan(root).images.map(\.path)))
        for fold in folds {
            let patients = [fold.train, fold.validation!, fold.test!].map { Set($0.images.map { PatientGroupingTests.patient($0.path) }) }
            #expect(patients[0].isDisjoint(with: patients[1]))
            #expect(patients[0].isDisjoint(with: patients[2]))
            #expect(patients[1].isDisjoint(with: patients[2]))
            #expect(fold.test!.classCounts.allSatisfy { $0 > 0 })
            #expect(fold.validation!.classCounts.allSatisfy { $0 > 0 })
            #expect(fold.patients?.warnings == [])
        }
        let again = try ImageFolderDataset.crossValidationFolds(
            of: root, folds: 3, grouping: .pattern("^(p\\d+)_"), validationFraction: 0.2, seed: 2)
        #expect(again.map { $0.test!.images } == folds.map { $0.test!.images })
    }

    @Test func withoutAGroupingEveryImageIsItsOwnPatient() throws {
        let folds = try ImageFolderDataset.crossValidationFolds(
            of: Fixtures.imageFolder(counts: [9, 12], size: 8), folds: 3, grouping: nil, validationFraction: 0.2, seed: 1)
        #expect(folds.map { $0.test!.classCounts } == [[3, 4], [3, 4], [3, 4]])
        #expect(folds.allSatisfy { $0.patients == nil })
    }

    @Test func tooFewPatientsOrFoldsAreRefused() {
        let root = PatientGroupingTests.patientFolder()
        // Class 0 has 6 patients: 6 folds leave none to validate on.
        #expect(throws: DatasetError.tooFewPatientsForFolds(className: "class-0", patients: 6, folds: 6)) {
            try ImageFolderDataset.crossValidationFolds(of: root, folds: 6, grouping: .pattern("^(p\\d+)_"), validationFraction: 0.2, seed: 1)
        }
        #expect(throws: DatasetError.self) {
            try ImageFolderDataset.crossValidationFolds(of: root, folds: 1, grouping: nil, validationFraction: 0.2, seed: 1)
        }
        #expect(throws: DatasetError.self) {
            try ImageFolderDataset.crossValidationFolds(of: root, folds: 3, grouping: nil, validationFraction: 0, seed: 1)
        }
    }
}

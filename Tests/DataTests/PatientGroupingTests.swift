@testable import Data
import Foundation
import Testing

@Suite struct PatientGroupingTests {
    /// Class 0: patients p0-p5, class 1: patients p6-p15; patient p_k has 1 + k % 3 images.
    static func patientFolder() -> URL {
        let root = Fixtures.temporaryDirectory()
        let jpeg = Fixtures.jpeg(width: 8, height: 8)
        for patient in 0..<16 {
            for image in 0...(patient % 3) {
                Fixtures.write(jpeg, to: root, "class-\(patient < 6 ? 0 : 1)/p\(patient)_scan\(image).jpg")
            }
        }
        return root
    }

    static func patient(_ path: String) -> String {
        String((path as NSString).lastPathComponent.prefix { $0 != "_" })
    }

    @Test func theHeldOutShareIsWholePatientsOfEveryClass() throws {
        let root = Self.patientFolder()
        let dataset = try ImageFolderDataset(train: root, validationFraction: 0.3, grouping: .pattern("^(p\\d+)_"), seed: 4)
        let validation = try #require(dataset.validation)
        let trainPatients = Set(dataset.train.images.map { Self.patient($0.path) })
        let validationPatients = Set(validation.images.map { Self.patient($0.path) })
        #expect(trainPatients.isDisjoint(with: validationPatients))
        #expect(validation.classCounts.allSatisfy { $0 > 0 })
        #expect(dataset.train.classCounts.allSatisfy { $0 > 0 })
        let report = try #require(dataset.patients)
        let patientCount: Int = report.trainPatientsPerClass.reduce(0, +) + report.validationPatientsPerClass.reduce(0, +)
        #expect(patientCount == 16)
        #expect(report.sharedWithValidation.isEmpty && report.warnings.isEmpty && report.ungroupedImages == 0)

        // Without the grouping the same fraction splits patients between the sides.
        let random = try ImageFolderDataset(train: root, validationFraction: 0.3, seed: 4)
        let randomValidation = Set(random.validation!.images.map { Self.patient($0.path) })
        #expect(!Set(random.train.images.map { Self.patient($0.path) }).isDisjoint(with: randomValidation))
    }

    @Test func aValidationFolderSharingPatientsIsWarnedAbout() throws {
        let root = Self.patientFolder()
        let dataset = try ImageFolderDataset(train: root, validation: root, grouping: .pattern("^(p\\d+)_"))
        let report = try #require(dataset.patients)
        #expect(report.sharedWithValidation.count == 16)
        #expect(report.warnings.count == 1)
        #expect(report.warnings[0].hasPrefix("16 patient(s) have images in both training and validation (p0, p1, p10, ...)"))
    }

    @Test func aClassOfOnePatientCannotGiveOneToValidation() {
        let root = Self.patientFolder()
        #expect(throws: DatasetError.tooFewPatientsToHoldOut(className: "class-0", patients: 1)) {
            try ImageFolderDataset(train: root, grouping: .pattern("^(p)[0-5]_"), seed: 1)
        }
    }

    @Test func optionsNameOneGroupingKermanyAndNoneByName() throws {
        #expect(PatientGrouping(pattern: nil, file: nil) == nil)
        #expect(PatientGrouping(pattern: "none", file: nil) == nil)
        #expect(PatientGrouping(pattern: "kermany", file: nil) == .pattern(PatientGroups.kermanyPattern))
        #expect(PatientGrouping(pattern: "(x)", file: nil) == .pattern("(x)"))
        #expect(PatientGrouping(pattern: nil, file: "g.csv") == .listed(URL(fileURLWithPath: "g.csv")))
        // A file names patients outright, so it replaces the pattern, which has a default.
        #expect(PatientGrouping(pattern: "kermany", file: "g.csv") == .listed(URL(fileURLWithPath: "g.csv")))
    }

    @Test func aGroupsFileThatIsNotARegularFileIsRefused() {
        let folder = ImageFolder(root: URL(fileURLWithPath: "/"), classNames: ["a", "b"], images: [])
        #expect(throws: GroupingError.self) { try PatientGroups.listed(in: URL(fileURLWithPath: "/dev/zero"), for: folder) }
        #expect(throws: GroupingError.self) { try PatientGroups.listed(in: Fixtures.temporaryDirectory(), for: folder) }
    }
}

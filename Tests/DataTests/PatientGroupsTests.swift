import Data
import Foundation
import Testing

@Suite struct PatientGroupsTests {
    static let folder = ImageFolder(
        root: URL(fileURLWithPath: "/data/train"), classNames: ["NORMAL", "PNEUMONIA"],
        images: [
            LabeledImage(path: "NORMAL/IM-0115-0001.jpeg", label: 0),
            LabeledImage(path: "NORMAL/IM-0115-0002.jpeg", label: 0),
            LabeledImage(path: "NORMAL/NORMAL2-IM-0115-0001.jpeg", label: 0),
            LabeledImage(path: "NORMAL/scan.jpeg", label: 0),
            LabeledImage(path: "PNEUMONIA/person1000_bacteria_2931.jpeg", label: 1),
            LabeledImage(path: "PNEUMONIA/person1000_virus_1681.jpeg", label: 1),
            LabeledImage(path: "PNEUMONIA/person1001_bacteria_2932.jpeg", label: 1),
        ])

    @Test func theKermanyPatternNamesEachChild() throws {
        let groups = try PatientGroups.matching(PatientGroups.kermanyPattern, in: Self.folder)
        #expect(groups.names == ["IM-0115", "NORMAL2-IM-0115", "NORMAL/scan.jpeg", "person1000", "person1001"])
        #expect(groups.groupOfImage == [0, 0, 1, 2, 3, 3, 4])
        #expect(groups.ungrouped == ["NORMAL/scan.jpeg"])
        #expect(groups.groupCounts(labels: Self.folder.images.map(\.label), classCount: 2) == [3, 2])
    }

    @Test func aPatternNeedsACaptureGroupAndValidSyntax() {
        #expect(throws: GroupingError.patternWithoutCapture(pattern: "person[0-9]+")) {
            try PatientGroups.matching("person[0-9]+", in: Self.folder)
        }
        #expect(throws: GroupingError.self) { try PatientGroups.matching("(person", in: Self.folder) }
    }

    @Test func aCSVListsGroupsByRelativeOrFullPath() throws {
        let file = URL(fileURLWithPath: NSTemporaryDirectory() + "groups-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: file) }
        try """
            path,group
            NORMAL/IM-0115-0001.jpeg,child-a
            /data/train/NORMAL/IM-0115-0002.jpeg,child-a
            "PNEUMONIA/person1000_bacteria_2931.jpeg",child-b

            """.write(to: file, atomically: true, encoding: .utf8)
        let groups = try PatientGroups.listed(in: file, for: Self.folder)
        #expect(groups.groupOfImage[0] == groups.groupOfImage[1])
        #expect(groups.names[groups.groupOfImage[4]] == "child-b")
        #expect(groups.ungrouped.count == 4)
    }

    @Test func aMalformedCSVRowIsNamed() throws {
        let file = URL(fileURLWithPath: NSTemporaryDirectory() + "groups-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: file) }
        try "a.jpeg,x\nb.jpeg\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: GroupingError.malformedRow(path: file.path, line: 2, expected: "path,group")) {
            try PatientGroups.listed(in: file, for: Self.folder)
        }
    }

    @Test func sharedNamesArePatientsOnBothSides() throws {
        let other = ImageFolder(
            root: URL(fileURLWithPath: "/data/val"), classNames: ["NORMAL", "PNEUMONIA"],
            images: [LabeledImage(path: "PNEUMONIA/person1001_virus_1.jpeg", label: 1)])
        let train = try PatientGroups.matching(PatientGroups.kermanyPattern, in: Self.folder)
        let validation = try PatientGroups.matching(PatientGroups.kermanyPattern, in: other)
        #expect(train.sharedNames(with: validation) == ["person1001"])
    }
}

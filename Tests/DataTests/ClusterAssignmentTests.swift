@testable import Data
import Foundation
import Testing

@Suite struct ClusterAssignmentTests {
    /// Two classes, each with a bright and a dark sub-style alternating by index.
    static let cache: ImageCache = {
        let labels = (0..<24).map { $0 / 12 }
        let side = 8
        var pixels: [UInt8] = []
        for index in 0..<24 {
            let base = index % 2 == 0 ? 200 : 40
            pixels += (0..<(side * side)).map { UInt8(base + ($0 * 7 + index * 3) % 20) }
        }
        return Fixtures.cache(labels: labels, imageSize: side, pixels: pixels)
    }()

    @Test func groupsPerClassParsesOneCountOrOnePerClass() throws {
        #expect(try ClusterAssignment.groupsPerClass("2", classCount: 3) == [2, 2, 2])
        #expect(try ClusterAssignment.groupsPerClass("2, 3,1", classCount: 3) == [2, 3, 1])
        for bad in ["", "0", "2,3", "a", "2,-1,2"] {
            #expect(throws: DatasetError.self) { try ClusterAssignment.groupsPerClass(bad, classCount: 3) }
        }
    }

    @Test func kMeansSeparatesTheSubStylesOfEachClass() throws {
        let assignment = try ClusterAssignment.compute(for: Self.cache, groupsPerClass: [2, 2], seed: 1)
        for label in 0..<2 {
            let members = (label * 12)..<((label + 1) * 12)
            let bright = Set(members.filter { $0 % 2 == 0 }.map { assignment.groups[$0] })
            let dark = Set(members.filter { $0 % 2 == 1 }.map { assignment.groups[$0] })
            #expect(bright.count == 1 && dark.count == 1 && bright != dark)
        }
        #expect(assignment.groupSizes(labels: Self.cache.labels) == [[6, 6], [6, 6]])
        #expect(assignment == (try ClusterAssignment.compute(for: Self.cache, groupsPerClass: [2, 2], seed: 1)))
    }

    @Test func groupsAreNumberedByDecreasingSize() throws {
        let assignment = try ClusterAssignment.compute(for: Self.cache, groupsPerClass: [1, 3], seed: 3)
        let sizes = assignment.groupSizes(labels: Self.cache.labels)
        #expect(sizes[0] == [12])
        #expect(sizes[1] == sizes[1].sorted(by: >) && sizes[1].reduce(0, +) == 12)
    }

    @Test func moreGroupsThanImagesIsRefused() {
        #expect(throws: DatasetError.tooFewImagesForGroups(className: "class-1", images: 12, groups: 13)) {
            try ClusterAssignment.compute(for: Self.cache, groupsPerClass: [2, 13], seed: 1)
        }
    }

    @Test func csvRoundTrips() throws {
        let url = Fixtures.temporaryDirectory().appendingPathComponent("clusters.csv")
        let assignment = try ClusterAssignment.compute(for: Self.cache, groupsPerClass: [2, 2], seed: 1)
        try assignment.write(to: url, folder: Self.cache.folder)
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text.hasPrefix("path,class,group\nclass-0/0.jpg,class-0,"))
        #expect(try ClusterAssignment.read(from: url, matching: Self.cache.folder, groupsPerClass: [2, 2]) == assignment)
    }

    @Test func matchingFileIsReusedAndAStaleOneRecomputed() throws {
        let url = Fixtures.temporaryDirectory().appendingPathComponent("clusters.csv")
        let first = try ClusterAssignment.loadOrCompute(at: url, for: Self.cache, groupsPerClass: [2, 2], seed: 1)
        #expect(!first.reused && first.staleReason == nil)
        let second = try ClusterAssignment.loadOrCompute(at: url, for: Self.cache, groupsPerClass: [2, 2], seed: 99)
        #expect(second.reused && second.assignment == first.assignment)
        let regrouped = try ClusterAssignment.loadOrCompute(at: url, for: Self.cache, groupsPerClass: [2, 3], seed: 1)
        #expect(!regrouped.reused && regrouped.staleReason != nil)
        #expect(try ClusterAssignment.read(from: url, matching: Self.cache.folder, groupsPerClass: [2, 3]) == regrouped.assignment)
    }

    @Test(arguments: ["fewer groups", "other images", "renamed class", "not a csv", "missing rows", "duplicate row"])
    func fileThatNoLongerMatchesIsStale(change: String) throws {
        let url = Fixtures.temporaryDirectory().appendingPathComponent("clusters.csv")
        let assignment = try ClusterAssignment.compute(for: Self.cache, groupsPerClass: [2, 2], seed: 1)
        try assignment.write(to: url, folder: Self.cache.folder)
        var folder = Self.cache.folder
        var groups = [2, 2]
        var lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
        switch change {
        case "fewer groups": groups = [3, 2]
        case "other images": folder.images[5].path = "class-0/new.jpg"
        case "renamed class": folder = ImageFolder(root: folder.root, classNames: ["normal", "class-1"], images: folder.images)
        case "not a csv": lines = ["\u{1}binary"]
        case "missing rows": lines.removeLast()
        default: lines[2] = lines[1]
        }
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        #expect {
            try ClusterAssignment.read(from: url, matching: folder, groupsPerClass: groups)
        } throws: { error in
            guard case .staleClusterFile(let path, _) = error as? DatasetError else { return false }
            return path == url.path
        }
    }
}

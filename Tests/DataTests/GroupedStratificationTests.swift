import Data
import Testing

@Suite struct GroupedStratificationTests {
    /// 60 patients: class 0 has 20 patients of 1-3 images, class 1 has 40 of 1-5.
    static func population(seed: UInt64 = 3) -> (labels: [Int], groups: [Int]) {
        var labels: [Int] = []
        var groups: [Int] = []
        for patient in 0..<60 {
            let label = patient < 20 ? 0 : 1
            let size = 1 + (patient * 7 + Int(seed)) % (label == 0 ? 3 : 5)
            labels += Array(repeating: label, count: size)
            groups += Array(repeating: patient, count: size)
        }
        return (labels, groups)
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func theValidationSplitKeepsPatientsWholeAndNearTheFraction(seed: UInt64) {
        let (labels, groups) = Self.population()
        let held = GroupedStratification.validationMembers(labels: labels, groups: groups, classCount: 2, fraction: 0.2, seed: seed)
        for image in labels.indices where held.contains(image) {
            #expect(labels.indices.filter { groups[$0] == groups[image] }.allSatisfy(held.contains))
        }
        for label in 0..<2 {
            let total = labels.filter { $0 == label }.count
            let taken = held.filter { labels[$0] == label }.count
            #expect(taken > 0 && taken < total)
            #expect(abs(Double(taken) / Double(total) - 0.2) < 0.06, "class \(label): \(taken) of \(total)")
        }
    }

    @Test func theSplitDependsOnTheSeedOnly() {
        let (labels, groups) = Self.population()
        let first = GroupedStratification.validationMembers(labels: labels, groups: groups, classCount: 2, fraction: 0.2, seed: 5)
        #expect(first == GroupedStratification.validationMembers(labels: labels, groups: groups, classCount: 2, fraction: 0.2, seed: 5))
        #expect(first != GroupedStratification.validationMembers(labels: labels, groups: groups, classCount: 2, fraction: 0.2, seed: 6))
    }

    @Test func foldsKeepPatientsWholeAndSpreadEachClassEvenly() {
        let (labels, groups) = Self.population()
        let folds = GroupedStratification.folds(labels: labels, groups: groups, classCount: 2, folds: 5, seed: 1)
        for image in labels.indices {
            #expect(folds[image] == folds[groups.firstIndex(of: groups[image])!])
        }
        for label in 0..<2 {
            let total = labels.filter { $0 == label }.count
            let perFold = (0..<5).map { fold in labels.indices.filter { labels[$0] == label && folds[$0] == fold }.count }
            #expect(perFold.allSatisfy { abs(Double($0) - Double(total) / 5) <= 3 }, "class \(label): \(perFold)")
        }
    }

    @Test func singletonGroupsGiveAnOrdinaryStratifiedSplit() {
        let labels = Array(repeating: 0, count: 30) + Array(repeating: 1, count: 70)
        let held = GroupedStratification.validationMembers(
            labels: labels, groups: Array(labels.indices), classCount: 2, fraction: 0.1, seed: 1)
        #expect(held.filter { labels[$0] == 0 }.count == 3)
        #expect(held.filter { labels[$0] == 1 }.count == 7)
    }
}

import Support
import Foundation

/// The training, validation and (optional) test folders of one experiment, with one class list.
///
/// Validation comes from `--val DIR` when given; otherwise a seeded, stratified share of the
/// training folder (`validationFraction` of each class) is held out, so the class balance of
/// both parts matches the whole. With a patient grouping, the share held out is whole
/// patients, so validation measures patients the model has not seen.
public struct ImageFolderDataset: Sendable {
    public let classNames: [String]
    public let train: ImageFolder
    /// Nil when no validation folder is given and `validationFraction` is 0.
    public let validation: ImageFolder?
    public let test: ImageFolder?
    /// Patients per class and per split; nil without a grouping.
    public let patients: PatientGroupReport?

    public init(
        train trainRoot: URL, validation validationRoot: URL? = nil, validationFraction: Double = 0.1,
        test testRoot: URL? = nil, grouping: PatientGrouping? = nil, seed: UInt64 = 1
    ) throws(DatasetError) {
        guard (0..<1).contains(validationFraction) else {
            throw .invalidOption(name: "--val-fraction", value: "\(validationFraction)", expected: "a fraction in [0, 1)")
        }
        let scanned = try ImageFolder.scan(trainRoot)
        classNames = scanned.classNames
        if let validationRoot {
            train = scanned
            validation = try Self.scan(validationRoot, split: "validation", classNames: scanned.classNames)
        } else if validationFraction > 0, let grouping {
            (train, validation) = try Self.groupedSplit(scanned, grouping: grouping, fraction: validationFraction, seed: seed)
        } else if validationFraction > 0 {
            (train, validation) = try Self.stratifiedSplit(scanned, fraction: validationFraction, seed: seed)
        } else {
            (train, validation) = (scanned, nil)
        }
        test = try testRoot.map { root throws(DatasetError) in
            try Self.scan(root, split: "test", classNames: scanned.classNames)
        }
        if let grouping {
            do {
                patients = try PatientGroupReport(train: train, validation: validation, test: test, grouping: grouping)
            } catch {
                throw .patientGroups(error)
            }
        } else {
            patients = nil
        }
    }

    init(classNames: [String], train: ImageFolder, validation: ImageFolder?, test: ImageFolder?, patients: PatientGroupReport?) {
        self.classNames = classNames
        self.train = train
        self.validation = validation
        self.test = test
        self.patients = patients
    }

    static func scan(_ root: URL, split: String, classNames: [String]) throws(DatasetError) -> ImageFolder {
        let folder = try ImageFolder.scan(root)
        guard folder.classNames == classNames else {
            throw .mismatchedClasses(split: split, path: root.path, expected: classNames, found: folder.classNames)
        }
        return folder
    }

    /// Holds out whole patients, about `fraction` of each class's images
    /// (`GroupedStratification.validationMembers`); both parts keep the sorted order.
    static func groupedSplit(
        _ folder: ImageFolder, grouping: PatientGrouping, fraction: Double, seed: UInt64
    ) throws(DatasetError) -> (ImageFolder, ImageFolder) {
        let groups: PatientGroups
        do { groups = try grouping.groups(of: folder) } catch { throw .patientGroups(error) }
        let labels = folder.images.map(\.label)
        for (label, count) in groups.groupCounts(labels: labels, classCount: folder.classNames.count).enumerated() where count < 2 {
            throw .tooFewPatientsToHoldOut(className: folder.classNames[label], patients: count)
        }
        let held = GroupedStratification.validationMembers(
            labels: labels, groups: groups.groupOfImage, classCount: folder.classNames.count, fraction: fraction, seed: seed)
        return split(folder, holdingOut: held)
    }

    /// Holds out round(fraction x count) images of every class (at least one, and never the
    /// last one), chosen by a shuffle keyed by (seed, class); both parts keep the sorted order.
    /// A class of one image can give none, and a validation split without it could not be
    /// evaluated on that class, so it is refused.
    static func stratifiedSplit(
        _ folder: ImageFolder, fraction: Double, seed: UInt64
    ) throws(DatasetError) -> (ImageFolder, ImageFolder) {
        var held = Set<Int>()
        for label in folder.classNames.indices {
            var members = folder.images.indices.filter { folder.images[$0].label == label }
            guard members.count >= 2 else {
                throw .tooFewImagesToHoldOut(className: folder.classNames[label], images: members.count)
            }
            let count = min(members.count - 1, max(1, Int((fraction * Double(members.count)).rounded())))
            var generator = SplitMix64(seed: SplitMix64.key(seed, 0x5B1_17, UInt64(label)))
            generator.shuffle(&members)
            held.formUnion(members.prefix(count))
        }
        return split(folder, holdingOut: held)
    }

    static func split(_ folder: ImageFolder, holdingOut held: Set<Int>) -> (ImageFolder, ImageFolder) {
        let indices = folder.images.indices
        let train = indices.filter { !held.contains($0) }.map { folder.images[$0] }
        let validation = indices.filter { held.contains($0) }.map { folder.images[$0] }
        return (
            ImageFolder(root: folder.root, classNames: folder.classNames, images: train),
            ImageFolder(root: folder.root, classNames: folder.classNames, images: validation)
        )
    }
}

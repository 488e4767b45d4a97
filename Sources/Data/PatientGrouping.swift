import Foundation

/// How a dataset names the patient of each image: `--group-pattern` or `--groups`.
public enum PatientGrouping: Equatable, Sendable {
    /// The first capture group of a regular expression matched against each file name.
    case pattern(String)
    /// A CSV of `path,group` rows.
    case listed(URL)

    /// Names `--group-pattern` accepts in place of a regular expression.
    public static let namedPatterns = ["kermany": PatientGroups.kermanyPattern]
    /// The `--group-pattern` that groups nothing: every image its own patient.
    public static let noPattern = "none"

    /// The grouping the options ask for: the `--groups` file when given (it names patients
    /// outright, so it replaces the pattern, which has a default), else the pattern; nil for
    /// neither or the pattern `none`.
    public init?(pattern: String?, file: String?) {
        if let file {
            self = .listed(URL(fileURLWithPath: file))
        } else if let pattern, pattern.lowercased() != Self.noPattern {
            self = .pattern(Self.namedPatterns[pattern.lowercased()] ?? pattern)
        } else {
            return nil
        }
    }

    /// The group of every image of `folder`.
    public func groups(of folder: ImageFolder) throws(GroupingError) -> PatientGroups {
        switch self {
        case .pattern(let pattern): try PatientGroups.matching(pattern, in: folder)
        case .listed(let file): try PatientGroups.listed(in: file, for: folder)
        }
    }
}

/// The patients of each split of a dataset, and those that more than one split holds.
public struct PatientGroupReport: Sendable {
    /// Distinct patients per class of the training split, in class order.
    public let trainPatientsPerClass: [Int]
    public let validationPatientsPerClass: [Int]
    /// Images whose patient the grouping could not name, each counted as a patient of its own.
    public let ungroupedImages: Int
    /// Whether the grouping named no training image's patient (a pattern that fits other
    /// file names): the splits are then by image.
    public let namedNoTrainingPatient: Bool
    /// Patients with images in both training and validation (only possible with `--val`).
    public let sharedWithValidation: [String]
    /// Patients with images in both training and test.
    public let sharedWithTest: [String]

    init(train: ImageFolder, validation: ImageFolder?, test: ImageFolder?, grouping: PatientGrouping) throws(GroupingError) {
        let trainGroups = try grouping.groups(of: train)
        let validationGroups = try validation.map { folder throws(GroupingError) in try grouping.groups(of: folder) }
        let testGroups = try test.map { folder throws(GroupingError) in try grouping.groups(of: folder) }
        let classCount = train.classNames.count
        trainPatientsPerClass = trainGroups.groupCounts(labels: train.images.map(\.label), classCount: classCount)
        if let validation, let validationGroups {
            validationPatientsPerClass = validationGroups.groupCounts(labels: validation.images.map(\.label), classCount: classCount)
        } else {
            validationPatientsPerClass = []
        }
        ungroupedImages = ([trainGroups, validationGroups, testGroups].compactMap { $0 }).reduce(0) { $0 + $1.ungrouped.count }
        namedNoTrainingPatient = trainGroups.ungrouped.count == train.images.count
        sharedWithValidation = validationGroups.map { Self.named(trainGroups.sharedNames(with: $0), of: [trainGroups, $0]) } ?? []
        sharedWithTest = testGroups.map { Self.named(trainGroups.sharedNames(with: $0), of: [trainGroups, $0]) } ?? []
    }

    /// The shared names that name patients: an ungrouped image's group is its relative path,
    /// which two folders can hold by chance.
    private static func named(_ shared: [String], of groups: [PatientGroups]) -> [String] {
        let paths = Set(groups.flatMap(\.ungrouped))
        return shared.filter { !paths.contains($0) }
    }

    /// Warnings a user should read before trusting validation or test figures.
    public var warnings: [String] {
        var warnings: [String] = []
        for (split, shared) in [("validation", sharedWithValidation), ("test", sharedWithTest)] where !shared.isEmpty {
            let examples = shared.prefix(3).joined(separator: ", ") + (shared.count > 3 ? ", ..." : "")
            warnings.append(
                "\(shared.count) patient(s) have images in both training and \(split) (\(examples)): \(split) figures then "
                    + "measure memory of those patients, not generalisation; move their images to one side")
        }
        return warnings
    }
}

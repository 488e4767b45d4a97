import Foundation

/// Which patient each image of a folder comes from, so that a split never puts one patient's
/// images on both sides. Kermany's chest X-rays come several per child, and a random split
/// that shares children between training and validation measures memory, not generalisation
/// (docs/method.md, "Patient-aware splits").
public struct PatientGroups: Equatable, Sendable {
    /// One group index per image of the folder, in the folder's order.
    public let groupOfImage: [Int]
    /// The group's name (the patient), by group index.
    public let names: [String]
    /// Paths (relative to the folder) whose group was not given, each then a group of its own.
    public let ungrouped: [String]

    /// A pattern that names Kermany's patients: `person1000` in `person1000_bacteria_2931.jpeg`,
    /// `IM-0115` in `IM-0115-0001.jpeg`, `NORMAL2-IM-1427` in `NORMAL2-IM-1427-0001.jpeg`.
    public static let kermanyPattern = #"^(person\d+|(?:NORMAL2-)?IM-\d+)[-_]"#

    /// Every image its own group: what a split without `--group-pattern` or `--groups` does.
    public static func individual(_ folder: ImageFolder) -> PatientGroups {
        PatientGroups(groupOfImage: Array(folder.images.indices), names: folder.images.map(\.path), ungrouped: [])
    }

    /// Groups by the first capture group of `pattern` (a regular expression) matched against
    /// each file's name; a name the pattern does not match is a group of its own.
    public static func matching(_ pattern: String, in folder: ImageFolder) throws(GroupingError) -> PatientGroups {
        let expression: NSRegularExpression
        do {
            expression = try NSRegularExpression(pattern: pattern)
        } catch {
            throw .invalidPattern(pattern: pattern, reason: "\(error.localizedDescription)")
        }
        guard expression.numberOfCaptureGroups >= 1 else { throw .patternWithoutCapture(pattern: pattern) }
        return grouped(folder) { path in
            let name = (path as NSString).lastPathComponent
            let range = NSRange(name.startIndex..., in: name)
            guard let match = expression.firstMatch(in: name, range: range),
                  let captured = Range(match.range(at: 1), in: name), !captured.isEmpty
            else { return nil }
            return String(name[captured])
        }
    }

    /// Groups from a CSV of `path,group` rows (a header row `path,group` is allowed), paths as
    /// given on the command line or relative to the folder. Images the file does not list are
    /// groups of their own.
    public static func listed(in csvFile: URL, for folder: ImageFolder) throws(GroupingError) -> PatientGroups {
        let text: String
        do {
            // A regular file only: a FIFO or device named by mistake would block or never end.
            text = String(decoding: try RegularFile.contents(of: csvFile.path), as: UTF8.self)
        } catch {
            throw .unreadableFile(path: csvFile.path, reason: "\(error)")
        }
        var groupOfPath: [String: String] = [:]
        for (index, row) in CSV.rows(text).enumerated() {
            if index == 0 && row.map({ $0.lowercased() }) == ["path", "group"] { continue }
            guard row.count == 2, !row[0].isEmpty, !row[1].isEmpty else {
                throw .malformedRow(path: csvFile.path, line: index + 1, expected: "path,group")
            }
            groupOfPath[row[0]] = row[1]
        }
        return grouped(folder) { path in
            groupOfPath[path] ?? groupOfPath[folder.url(of: LabeledImage(path: path, label: 0)).path]
        }
    }

    private static func grouped(_ folder: ImageFolder, name: (String) -> String?) -> PatientGroups {
        var indexOfName: [String: Int] = [:]
        var names: [String] = []
        var ungrouped: [String] = []
        let groups = folder.images.map { image in
            let group: String
            if let found = name(image.path) {
                group = found
            } else {
                // A group of its own, named by its path.
                group = image.path
                ungrouped.append(image.path)
            }
            if let index = indexOfName[group] { return index }
            indexOfName[group] = names.count
            names.append(group)
            return names.count - 1
        }
        return PatientGroups(groupOfImage: groups, names: names, ungrouped: ungrouped)
    }

    /// Distinct groups among the images of each class (a group with images in two classes
    /// counts in both).
    public func groupCounts(labels: [Int], classCount: Int) -> [Int] {
        var seen = Array(repeating: Set<Int>(), count: classCount)
        for (image, label) in labels.enumerated() { seen[label].insert(groupOfImage[image]) }
        return seen.map(\.count)
    }

    /// Group names that both `self` and `other` hold: patients on both sides of a split.
    public func sharedNames(with other: PatientGroups) -> [String] {
        Set(names).intersection(other.names).sorted()
    }
}

/// Why images could not be grouped by patient.
public enum GroupingError: Error, CustomStringConvertible, Equatable, Sendable {
    case invalidPattern(pattern: String, reason: String)
    case patternWithoutCapture(pattern: String)
    case unreadableFile(path: String, reason: String)
    case malformedRow(path: String, line: Int, expected: String)

    public var description: String {
        switch self {
        case let .invalidPattern(pattern, reason):
            "--group-pattern '\(pattern)' is not a valid regular expression (\(reason))"
        case let .patternWithoutCapture(pattern):
            "--group-pattern '\(pattern)' has no capture group; put the part of the file name that names the patient in parentheses, e.g. '\(PatientGroups.kermanyPattern)'"
        case let .unreadableFile(path, reason):
            "cannot read --groups file \(path): \(reason)"
        case let .malformedRow(path, line, expected):
            "--groups file \(path), line \(line): expected two fields, \(expected)"
        }
    }
}

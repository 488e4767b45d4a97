import Foundation

/// Why a numeric CSV file could not be read or written.
public enum NumericCSVError: Error, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case empty(path: String)
    case raggedRow(path: String, line: Int, count: Int, expected: Int)
    case notANumber(path: String, line: Int, column: Int, text: String)
    case notAnInteger(path: String, line: Int, column: Int, text: String)
    case labelsNotOneColumnOrRow(path: String, line: Int, count: Int)
    case unwritable(path: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            return "cannot read \(path): \(reason)"
        case let .empty(path):
            return "\(path) holds no values."
        case let .raggedRow(path, line, count, expected):
            return "\(path) line \(line) has \(count) values but the first row has \(expected); "
                + "every row must have the same number of columns."
        case let .notANumber(path, line, column, text):
            return "\(path) line \(line), column \(column): '\(text)' is not a finite number "
                + "(the file must have no header row)."
        case let .notAnInteger(path, line, column, text):
            return "\(path) line \(line), column \(column): '\(text)' is not an integer label."
        case let .labelsNotOneColumnOrRow(path, line, count):
            return "\(path) line \(line) has \(count) values; labels must be one integer per line "
                + "or a single comma-separated row."
        case let .unwritable(path, reason):
            return "cannot write \(path): \(reason)"
        }
    }
}

/// Plain numeric CSV without a header: one row per line, comma-separated, blank lines ignored.
/// Numbers need no quoting, so fields are split at every comma.
public enum NumericCSV {
    /// A (rows, columns) matrix, row-major.
    public static func readMatrix(_ path: String) throws -> (values: [Float], rows: Int, columns: Int) {
        let lines = try fieldLines(path)
        let columns = lines[0].fields.count
        var values: [Float] = []
        values.reserveCapacity(lines.count * columns)
        for (line, fields) in lines {
            guard fields.count == columns else {
                throw NumericCSVError.raggedRow(path: path, line: line, count: fields.count, expected: columns)
            }
            for (column, text) in fields.enumerated() {
                guard let value = Float(text), value.isFinite else {
                    throw NumericCSVError.notANumber(path: path, line: line, column: column + 1, text: text)
                }
                values.append(value)
            }
        }
        return (values, lines.count, columns)
    }

    /// Integer labels, one per line or all on one comma-separated row.
    public static func readLabels(_ path: String) throws -> [Int32] {
        let lines = try fieldLines(path)
        if lines.count > 1, let wide = lines.first(where: { $0.fields.count > 1 }) {
            throw NumericCSVError.labelsNotOneColumnOrRow(path: path, line: wide.line, count: wide.fields.count)
        }
        return try lines.flatMap { line, fields in
            try fields.enumerated().map { column, text in
                guard let label = Int32(text) else {
                    throw NumericCSVError.notAnInteger(path: path, line: line, column: column + 1, text: text)
                }
                return label
            }
        }
    }

    /// Writes `values` as rows of `columns`, each number in the shortest form that reads back
    /// to the same float.
    public static func write(_ values: [Float], columns: Int, to path: String) throws {
        var text = ""
        for start in stride(from: 0, to: values.count, by: columns) {
            text += values[start..<(start + columns)].map { "\($0)" }.joined(separator: ",") + "\n"
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw NumericCSVError.unwritable(path: path, reason: error.localizedDescription)
        }
    }

    /// The non-blank lines of `path` with their 1-based numbers, split into trimmed fields.
    private static func fieldLines(_ path: String) throws -> [(line: Int, fields: [String])] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw NumericCSVError.unreadable(path: path, reason: error.localizedDescription)
        }
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            .enumerated()
            .filter { !$0.element.allSatisfy(\.isWhitespace) }
            .map { index, line in
                (line: index + 1, fields: line.split(separator: ",", omittingEmptySubsequences: false)
                    .map { $0.trimmingCharacters(in: .whitespaces) })
            }
        guard !lines.isEmpty else { throw NumericCSVError.empty(path: path) }
        return lines
    }
}

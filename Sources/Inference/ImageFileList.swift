import Data
import Foundation

/// The images named on a command line (`bstrain predict PATH...`): a file is taken as named,
/// whatever its extension (one neither JPEG nor PNG is then reported by the decoder); a folder is searched
/// for .jpg/.jpeg/.png files as a class folder is (`ImageFileSearch`: recursively, hidden entries
/// skipped, links followed but no folder twice), in sorted order. Each file is listed once,
/// under the first spelling that reached it.
public struct ImageFileList {
    /// The files in order, spelled as given (a folder's files under the folder's spelling).
    public let paths: [String]
    /// Named paths that are neither a file nor a folder, and folders that cannot be listed.
    public let failures: [(path: String, reason: String)]
    /// Each file's path in `folder` (absolute, without the leading slash) to its given spelling.
    private let givenPaths: [String: String]

    public init(_ arguments: [String]) {
        var paths: [String] = []
        var failures: [(path: String, reason: String)] = []
        var givenPaths: [String: String] = [:]
        func add(_ path: String) {
            let key = Self.folderPath(path)
            guard givenPaths[key] == nil else { return }
            givenPaths[key] = path
            paths.append(path)
        }
        for argument in arguments {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else {
                failures.append((argument, "no such file or folder"))
                continue
            }
            guard isDirectory.boolValue else {
                add(argument)
                continue
            }
            do {
                try ImageFileSearch.relativePaths(under: argument).forEach { add((argument as NSString).appendingPathComponent($0)) }
            } catch {
                failures.append((argument, "\(error)"))
            }
        }
        self.paths = paths
        self.failures = failures
        self.givenPaths = givenPaths
    }

    /// The files as one unlabelled folder rooted at "/": image i is `paths[i]` made absolute.
    public var folder: ImageFolder {
        ImageFolder(
            root: URL(fileURLWithPath: "/"), classNames: ["unlabeled"],
            images: paths.map { LabeledImage(path: Self.folderPath($0), label: 0) })
    }

    /// How the file at `absolutePath` (as `folder.url(of:)` and decoding failures name it) was given.
    public func givenPath(of absolutePath: String) -> String {
        givenPaths[Self.folderPath(absolutePath)] ?? absolutePath
    }

    /// `path` made absolute and standardised, without the leading slash: its path in `folder`.
    private static func folderPath(_ path: String) -> String {
        String(URL(fileURLWithPath: path).standardizedFileURL.path.dropFirst())
    }
}

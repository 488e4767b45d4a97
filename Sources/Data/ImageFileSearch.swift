import Foundation

/// The image files (.jpg, .jpeg, .png, .dcm, .dicom) under a folder: the one search behind a class folder's
/// images and `predict DIR`. The extension only selects files to list; each file's content
/// decides how it is decoded (`ImageFile`), so a .jpg holding a PNG is read as a PNG.
///
/// Hidden entries (names starting with a dot) are skipped. Symbolic links are followed, to
/// files and folders alike (a class folder may be a link to where the images live), but no
/// folder is entered twice: folders are told apart by device and inode, so a link to an
/// enclosing folder (`ln -s . self`) neither lists its files again nor recurses forever.
public enum ImageFileSearch {
    /// Whether `name` ends in .jpg, .jpeg, .png, .dcm or .dicom, in any case. Other files are
    /// listed too when they are DICOM files (`isDICOMFile`).
    public static func hasImageExtension(_ name: String) -> Bool {
        ["jpg", "jpeg", "png", "dcm", "dicom"].contains((name as NSString).pathExtension.lowercased())
    }

    /// The files' paths relative to `folder`, sorted. An entry that is not a folder counts by its
    /// name alone, so a broken link or a pipe named .jpg is listed, for the reader to report.
    public static func relativePaths(under folder: String) throws(DatasetError) -> [String] {
        var visited = Set<FolderIdentity>()
        var found: [String] = []
        try search(folder, prefix: "", visited: &visited, found: &found)
        return found.sorted()
    }

    /// The visible entries of `folder`, sorted, following it if it is a link.
    public static func visibleEntries(of folder: String) throws(DatasetError) -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: folder).filter { !$0.hasPrefix(".") }.sorted()
        } catch {
            throw .unreadableDirectory(path: folder, reason: error.localizedDescription)
        }
    }

    /// Whether `path` names a folder, through links.
    static func isFolder(_ path: String) -> Bool { folderIdentity(path) != nil }

    /// The folder `path` names (through links), or nil when it names no folder.
    static func folderIdentity(_ path: String) -> FolderIdentity? {
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR else { return nil }
        return FolderIdentity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
    }

    struct FolderIdentity: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    private static func search(
        _ folder: String, prefix: String, visited: inout Set<FolderIdentity>, found: inout [String]
    ) throws(DatasetError) {
        guard let identity = folderIdentity(folder), visited.insert(identity).inserted else { return }
        for name in try visibleEntries(of: folder) {
            let path = (folder as NSString).appendingPathComponent(name)
            if isFolder(path) {
                try search(path, prefix: prefix + name + "/", visited: &visited, found: &found)
            } else if hasImageExtension(name) || isDICOMFile(path) {
                found.append(prefix + name)
            }
        }
    }

    /// Whether the file at `path` starts as a DICOM Part 10 file does: archives often name
    /// their files by number or UID alone (`IM0001`, `1.2.840.113619.2.55`), so any file
    /// without an image extension is looked into, 132 bytes of it.
    static func isDICOMFile(_ path: String) -> Bool {
        // Only a regular file is opened: a pipe would block the search until something wrote to it.
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return false }
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        guard let head = try? handle.read(upToCount: 132) else { return false }
        return ImageFormat.detect(head) == .dicom
    }
}

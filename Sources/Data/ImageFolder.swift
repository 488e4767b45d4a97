import Foundation

/// One image of a split: its path relative to the split's root folder, and its class index.
public struct LabeledImage: Equatable, Sendable {
    public var path: String
    public var label: Int

    public init(path: String, label: Int) {
        self.path = path
        self.label = label
    }
}

/// A folder in the class-per-subfolder layout `root/<class>/**/*.jpg|*.jpeg` (the layout of
/// Keras `flow_from_directory` and torchvision `ImageFolder`).
///
/// Classes are the subfolder names sorted; images are sorted by class, then by relative path,
/// so a sample's index is the same on every machine and rank. Hidden files and folders and
/// files with other extensions are ignored.
public struct ImageFolder: Sendable {
    public let root: URL
    public let classNames: [String]
    public var images: [LabeledImage]

    public init(root: URL, classNames: [String], images: [LabeledImage]) {
        self.root = root
        self.classNames = classNames
        self.images = images
    }

    /// Lists `root`, checking it has at least two non-empty class folders.
    public static func scan(_ root: URL) throws(DatasetError) -> ImageFolder {
        let classNames = try subfolders(of: root)
        guard classNames.count >= 2 else { throw .tooFewClasses(root: root.path, found: classNames) }
        var images: [LabeledImage] = []
        for (label, name) in classNames.enumerated() {
            let paths = try jpegFiles(in: root.appendingPathComponent(name), prefix: name)
            guard !paths.isEmpty else { throw .emptyClassFolder(path: root.appendingPathComponent(name).path) }
            images += paths.map { LabeledImage(path: $0, label: label) }
        }
        return ImageFolder(root: root, classNames: classNames, images: images)
    }

    public var count: Int { images.count }

    /// The file of `image`.
    public func url(of image: LabeledImage) -> URL { root.appendingPathComponent(image.path) }

    /// Images per class, indexed by label.
    public var classCounts: [Int] {
        var counts = [Int](repeating: 0, count: classNames.count)
        for image in images { counts[image.label] += 1 }
        return counts
    }

    private static func subfolders(of root: URL) throws(DatasetError) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .missingDirectory(path: root.path)
        }
        let entries = try contents(of: root)
        return entries.filter { isFolder($0) }.map(\.lastPathComponent).sorted()
    }

    private static func jpegFiles(in folder: URL, prefix: String) throws(DatasetError) -> [String] {
        var found: [String] = []
        for entry in try contents(of: folder) {
            let name = prefix + "/" + entry.lastPathComponent
            if isFolder(entry) {
                found += try jpegFiles(in: entry, prefix: name)
            } else if ["jpg", "jpeg"].contains(entry.pathExtension.lowercased()) {
                found.append(name)
            }
        }
        return found.sorted()
    }

    private static func contents(of folder: URL) throws(DatasetError) -> [URL] {
        do {
            return try FileManager.default.contentsOfDirectory(
                at: folder, includingPropertiesForKeys: [.isDirectoryKey], options: [.skipsHiddenFiles])
        } catch {
            throw .unreadableDirectory(path: folder.path, reason: error.localizedDescription)
        }
    }

    private static func isFolder(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}

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

/// A folder in the class-per-subfolder layout `root/<class>/**/*.jpg|*.jpeg|*.png` (the layout of
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

    /// Lists `root`, checking it has at least two non-empty class folders. Class folders and
    /// their subfolders may be symbolic links (`ImageFileSearch`).
    public static func scan(_ root: URL) throws(DatasetError) -> ImageFolder {
        guard ImageFileSearch.isFolder(root.path) else { throw .missingDirectory(path: root.path) }
        let classNames = try ImageFileSearch.visibleEntries(of: root.path).filter {
            ImageFileSearch.isFolder(root.appendingPathComponent($0).path)
        }
        guard classNames.count >= 2 else { throw .tooFewClasses(root: root.path, found: classNames) }
        var images: [LabeledImage] = []
        for (label, name) in classNames.enumerated() {
            let folder = root.appendingPathComponent(name).path
            let paths = try ImageFileSearch.relativePaths(under: folder)
            guard !paths.isEmpty else { throw .emptyClassFolder(path: folder) }
            images += paths.map { LabeledImage(path: name + "/" + $0, label: label) }
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
}

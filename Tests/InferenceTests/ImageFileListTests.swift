import Foundation
import Testing
import Inference

@Suite struct ImageFileListTests {
    /// root/{b.JPEG, a/1.jpg, a/notes.txt, a/.hidden.jpg, .cache/x.jpg, c/d/2.jpeg}
    func makeTree() throws -> String {
        let root = NSTemporaryDirectory() + "bstrain-files-\(UUID().uuidString)"
        for folder in ["a", ".cache", "c/d"] {
            try FileManager.default.createDirectory(atPath: "\(root)/\(folder)", withIntermediateDirectories: true)
        }
        for file in ["b.JPEG", "a/1.jpg", "a/notes.txt", "a/.hidden.jpg", ".cache/x.jpg", "c/d/2.jpeg"] {
            try Data().write(to: URL(fileURLWithPath: "\(root)/\(file)"))
        }
        return root
    }

    @Test func foldersGiveTheirJPEGsRecursivelyInSortedOrderWithoutHiddenOnes() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let list = ImageFileList([root])
        #expect(list.paths == ["\(root)/a/1.jpg", "\(root)/b.JPEG", "\(root)/c/d/2.jpeg"])
        #expect(list.failures.isEmpty)
    }

    @Test func filesAreTakenAsNamedOnceEachAndMissingPathsAreReported() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let list = ImageFileList(["\(root)/a/notes.txt", "\(root)/a", "\(root)/a/../a/1.jpg", "\(root)/missing.jpg"])
        #expect(list.paths == ["\(root)/a/notes.txt", "\(root)/a/1.jpg"])
        #expect(list.failures.map(\.path) == ["\(root)/missing.jpg"])
    }

    /// `ln -s . self` gave 41 predictions for one image, and three such links never finished.
    @Test func linksBackToTheFolderListEachFileOnce() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        for name in ["self", "again", "more"] {
            try FileManager.default.createSymbolicLink(atPath: "\(root)/c/\(name)", withDestinationPath: ".")
        }
        try FileManager.default.createSymbolicLink(atPath: "\(root)/linked", withDestinationPath: "\(root)/c")
        let list = ImageFileList([root])
        #expect(list.paths == ["\(root)/a/1.jpg", "\(root)/b.JPEG", "\(root)/c/d/2.jpeg"])
        #expect(ImageFileList(["\(root)/linked"]).paths == ["\(root)/linked/d/2.jpeg"])
    }

    @Test func theFolderNamesEveryFileAbsoluteAndMapsBackToItsSpelling() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let list = ImageFileList(["\(root)/c/d/../d/2.jpeg"])
        let folder = list.folder
        #expect(folder.classNames.count == 1 && folder.images.count == 1)
        let absolute = folder.url(of: folder.images[0]).path
        #expect(absolute == URL(fileURLWithPath: "\(root)/c/d/2.jpeg").standardizedFileURL.path)
        #expect(list.givenPath(of: absolute) == "\(root)/c/d/../d/2.jpeg")
    }
}

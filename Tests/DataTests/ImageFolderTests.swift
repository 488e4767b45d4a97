@testable import Data
import Foundation
import Testing

@Suite struct ImageFolderTests {
    @Test func classesAndImagesAreSortedAndOtherFilesIgnored() throws {
        let root = Fixtures.temporaryDirectory()
        let jpeg = Fixtures.jpeg()
        for path in ["zebra/b.JPG", "zebra/a.jpeg", "zebra/nested/c.jpg", "apple/x.Jpeg",
                     "apple/.hidden.jpg", "apple/notes.txt", ".cache/d.jpg", "loose.jpg"] {
            Fixtures.write(jpeg, to: root, path)
        }
        let folder = try ImageFolder.scan(root)
        #expect(folder.classNames == ["apple", "zebra"])
        #expect(folder.images == [
            LabeledImage(path: "apple/x.Jpeg", label: 0),
            LabeledImage(path: "zebra/a.jpeg", label: 1),
            LabeledImage(path: "zebra/b.JPG", label: 1),
            LabeledImage(path: "zebra/nested/c.jpg", label: 1),
        ])
        #expect(folder.classCounts == [1, 3])
        #expect(folder.url(of: folder.images[0]).path == root.appendingPathComponent("apple/x.Jpeg").path)
    }

    @Test func emptyClassFolderIsNamed() throws {
        let root = Fixtures.imageFolder(counts: [2, 2])
        try FileManager.default.createDirectory(at: root.appendingPathComponent("empty"), withIntermediateDirectories: true)
        Fixtures.write(Data("x".utf8), to: root, "empty/readme.txt")
        #expect(throws: DatasetError.emptyClassFolder(path: root.appendingPathComponent("empty").path)) {
            try ImageFolder.scan(root)
        }
    }

    /// A class folder may be a link to where its images live, and so may a folder inside it.
    @Test func symbolicLinksToFoldersAreFollowed() throws {
        let root = Fixtures.imageFolder(counts: [2])
        let elsewhere = Fixtures.imageFolder(counts: [3, 1])
        try FileManager.default.createSymbolicLink(
            atPath: root.appendingPathComponent("linked").path, withDestinationPath: elsewhere.appendingPathComponent("class-0").path)
        try FileManager.default.createSymbolicLink(
            atPath: root.appendingPathComponent("class-0/more").path, withDestinationPath: elsewhere.appendingPathComponent("class-1").path)
        let folder = try ImageFolder.scan(root)
        #expect(folder.classNames == ["class-0", "linked"])
        #expect(folder.images.map(\.path) == [
            "class-0/image-0.jpg", "class-0/image-1.jpg", "class-0/more/image-0.jpg",
            "linked/image-0.jpg", "linked/image-1.jpg", "linked/image-2.jpg",
        ])
    }

    /// `ln -s . self` (or three such links) must neither list a file twice nor recurse forever.
    @Test func linksBackToAnEnclosingFolderAreNotEnteredAgain() throws {
        let root = Fixtures.imageFolder(counts: [1, 1])
        for (name, target) in [("self", "."), ("again", "."), ("loop", "../class-0"), ("deeper", "nested")] {
            try FileManager.default.createSymbolicLink(
                atPath: root.appendingPathComponent("class-0/\(name)").path, withDestinationPath: target)
        }
        Fixtures.write(Fixtures.jpeg(), to: root, "class-0/nested/inner.jpg")
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("class-0/nested/up").path, withDestinationPath: "..")
        let folder = try ImageFolder.scan(root)
        #expect(folder.images.map(\.path) == ["class-0/deeper/inner.jpg", "class-0/image-0.jpg", "class-1/image-0.jpg"])
    }

    @Test func oneClassIsRefused() {
        let root = Fixtures.imageFolder(counts: [3])
        #expect(throws: DatasetError.tooFewClasses(root: root.path, found: ["class-0"])) {
            try ImageFolder.scan(root)
        }
    }

    @Test func missingFolderIsNamed() {
        let missing = Fixtures.temporaryDirectory().appendingPathComponent("nowhere")
        #expect(throws: DatasetError.missingDirectory(path: missing.path)) {
            try ImageFolder.scan(missing)
        }
    }

    @Test func unreadableClassFolderIsNamed() throws {
        guard getuid() != 0 else { return }  // root reads any folder: nothing to check
        let root = Fixtures.imageFolder(counts: [1, 1])
        let locked = root.appendingPathComponent("class-1")
        try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: locked.path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: locked.path) }
        #expect {
            try ImageFolder.scan(root)
        } throws: { error in
            guard case .unreadableDirectory(let path, _) = error as? DatasetError else { return false }
            return path == locked.path
        }
    }
}

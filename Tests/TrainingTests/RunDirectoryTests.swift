import Foundation
import Testing
import Training

@Suite struct RunDirectoryTests {
    func temporaryPath() -> String {
        NSTemporaryDirectory() + "bstrain-run-\(UUID().uuidString)"
    }

    @Test func createsTheLayoutAndRefusesASecondHolder() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let first = try RunDirectory(path: path, minimumFreeBytes: 0)
        for folder in ["checkpoints", "weights", "plots"] {
            #expect(FileManager.default.fileExists(atPath: "\(path)/\(folder)"))
        }
        #expect(throws: RunDirectoryError.self) { try RunDirectory(path: path, minimumFreeBytes: 0) }
        _ = first
    }

    @Test func namesItsFilesByRoleAndSeesACheckpointWithoutBeingOpened() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let directory = try RunDirectory(path: path, minimumFreeBytes: 0)
        #expect(directory.lastCheckpointPath == "\(path)/checkpoints/last.ckpt")
        #expect(directory.bestWeightsPath == "\(path)/weights/best.safetensors")
        #expect(directory.lastWeightsPath == "\(path)/weights/last.safetensors")
        #expect(!directory.hasCheckpoint)
        #expect(FileManager.default.createFile(atPath: directory.lastCheckpointPath, contents: Data()))
        #expect(directory.hasCheckpoint)
        #expect(RunDirectory.Layout(path: path).hasCheckpoint)
    }

    @Test func refusesWhenTheDiskHasTooLittleSpace() {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: RunDirectoryError.self) { try RunDirectory(path: path, minimumFreeBytes: .max) }
    }

    @Test func aBareRelativeNameIsCreatedInTheWorkingDirectory() throws {
        // Foundation's deletingLastPathComponent trapped on a path of one component.
        let name = "bstrain-run-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: name) }
        let directory = try RunDirectory(path: name, minimumFreeBytes: 0)
        #expect(FileManager.default.fileExists(atPath: "\(name)/checkpoints"))
        _ = directory
    }

    @Test func aFileWhereAFolderBelongsIsNamed() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        #expect { try RunDirectory(path: "\(path)/run", minimumFreeBytes: 0) } throws: { error in
            "\(error)" == "cannot create run directory \(path): a file of that name exists; choose another with --run-dir"
        }
    }

    @Test func aPathPastPATHMAXIsRefusedAtOnceAndCreatesNothing() throws {
        let top = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: top) }
        let path = top + String(repeating: "/a", count: 50_000)
        let start = ContinuousClock.now
        #expect { try RunDirectory(path: path, minimumFreeBytes: 0) } throws: { error in
            "\(error)".hasPrefix("cannot create run directory \(path.prefix(60))…: its path is \(path.utf8.count) bytes long, over the 3839")
        }
        #expect(ContinuousClock.now - start < .seconds(1))
        #expect(!FileManager.default.fileExists(atPath: top))
    }

    @Test func atomicWriteReplacesWholeFilesAndLeavesNoTemporaries() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let directory = try RunDirectory(path: path, minimumFreeBytes: 0)
        try directory.write("first", to: "history.csv")
        try directory.write("second", to: "history.csv")
        #expect(try String(contentsOfFile: directory.file("history.csv"), encoding: .utf8) == "second")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.contains("partial") }
        #expect(leftovers.isEmpty)
    }
}

import Data
import Testing

@Suite struct DatasetErrorTests {
    @Test func fileErrorsNameTheFileAndTheWayOut() {
        let errors: [DatasetError] = [
            .emptyFile(path: "/d/a/x.jpg"), .notJPEG(path: "/d/a/x.jpg", detected: "a PNG image"),
            .corruptJPEG(path: "/d/a/x.jpg", reason: "Premature end of JPEG file"),
            .unreadableFile(path: "/d/a/x.jpg", reason: "permission denied"),
            .truncatedJPEG(path: "/d/a/x.jpg", reason: "the file ends before its last progressive scan"),
            .unsupportedJPEG(path: "/d/a/x.jpg", reason: "Unsupported JPEG data precision 12"),
            .notRegularFile(path: "/d/a/x.jpg", kind: "a named pipe (FIFO)"),
            .imageTooLarge(path: "/d/a/x.jpg", width: 32000, height: 32000, limit: 89_478_485),
            .decoderMemoryExceeded(path: "/d/a/x.jpg", limitBytes: 1 << 30),
            .unsupportedImageFormat(path: "/d/a/x.jpg", detected: "a GIF image"),
            .corruptPNG(path: "/d/a/x.jpg", reason: "IDAT: CRC error"), .truncatedPNG(path: "/d/a/x.jpg"),
        ]
        for error in errors {
            #expect(error.description.contains("/d/a/x.jpg"))
            #expect(error.description.contains("--skip-bad"))
        }
    }

    @Test func folderErrorsSayWhatTheLayoutShouldBe() {
        #expect(DatasetError.tooFewClasses(root: "/d", found: ["only"]).description.contains("at least two"))
        #expect(DatasetError.missingDirectory(path: "/nowhere").description.contains("/nowhere"))
        let mismatch = DatasetError.mismatchedClasses(split: "validation", path: "/v", expected: ["A", "B"], found: ["A"])
        #expect(mismatch.description.contains("[A]") && mismatch.description.contains("[A, B]"))
    }
}

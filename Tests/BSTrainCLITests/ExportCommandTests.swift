import Testing
@testable import BSTrainCLI

@Suite struct ExportCommandTests {
    @Test func theWeightsTheFormatAndTheOutputAreAllNeeded() throws {
        let command = try ExportCommand.parse(["--weights", "w.safetensors", "--format", "onnx", "--out", "m.onnx"])
        #expect(command.weights == "w.safetensors" && command.format == .onnx && command.out == "m.onnx")
        #expect(throws: (any Error).self) { try ExportCommand.parse(["--weights", "w", "--out", "m.onnx"]) }
        #expect(throws: (any Error).self) { try ExportCommand.parse(["--weights", "w", "--format", "onnx"]) }
        #expect(throws: (any Error).self) { try ExportCommand.parse(["--format", "onnx", "--out", "m.onnx"]) }
    }

    @Test func aFormatOtherThanOnnxIsRefusedWithTheChoices() {
        #expect(throws: (any Error).self) { try ExportCommand.parse(["--weights", "w", "--format", "torchscript", "--out", "m"]) }
        #expect(ExportCommand.helpMessage().contains("(values: onnx)"))
    }

    @Test func missingWeightsAreNamedBeforeAnythingIsWritten() throws {
        let command = try ExportCommand.parse(["--weights", "/nonexistent/w.safetensors", "--format", "onnx", "--out", "/nonexistent/m.onnx"])
        #expect { try command.run() } throws: { "\($0)".contains("/nonexistent/w.safetensors") }
    }
}

import Engine
import Testing

@Suite struct OpenBLASKernelSelectionTests {
    @Test func prefersTheWidestKernelFamilyTheCPUSupports() {
        #expect(OpenBLASKernelSelection.preferredCore(cpuFlags: ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx2", "fma"]) == "SkylakeX")
        #expect(OpenBLASKernelSelection.preferredCore(cpuFlags: ["avx2", "fma", "sse4_2"]) == "Haswell")
        #expect(OpenBLASKernelSelection.preferredCore(cpuFlags: ["sse4_2"]) == nil)
    }

    @Test func restartsOnlyFromASlowerFamily() {
        #expect(OpenBLASKernelSelection.needsRestart(current: "Prescott", preferred: "SkylakeX"))
        #expect(OpenBLASKernelSelection.needsRestart(current: "Haswell", preferred: "SkylakeX"))
        #expect(!OpenBLASKernelSelection.needsRestart(current: "SkylakeX", preferred: "SkylakeX"))
        #expect(!OpenBLASKernelSelection.needsRestart(current: "Cooperlake", preferred: "SkylakeX"))
        #expect(OpenBLASKernelSelection.needsRestart(current: "Prescott", preferred: "Haswell"))
        #expect(!OpenBLASKernelSelection.needsRestart(current: "Zen", preferred: "Haswell"))
    }
}

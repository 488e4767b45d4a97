import Foundation

/// Makes sure OpenBLAS runs the kernels this CPU can run fastest.
///
/// OpenBLAS picks its kernel family once, when the library loads, from the CPU model. Debian's
/// 0.3.21 does not know recent CPUs and falls back to an older family (measured on this
/// project's machines: "Prescott", 22 GFLOP/s, or "Haswell", 87, against "SkylakeX", 101, for a
/// 1024 SGEMM on one core). `OPENBLAS_CORETYPE` overrides the choice, but only before the
/// library loads, so the process re-executes itself once with it set (docs/architecture.md, "OpenBLAS kernels").
public enum OpenBLASKernelSelection {
    /// Set in the re-executed process so a second check never loops.
    static let guardVariable = "BSTRAIN_OPENBLAS_REEXECUTED"

    /// The fastest kernel family for this CPU's instruction sets, or nil if none is known.
    public static func preferredCore(cpuFlags: Set<String>) -> String? {
        if cpuFlags.isSuperset(of: ["avx512f", "avx512bw", "avx512vl", "avx512dq"]) { return "SkylakeX" }
        if cpuFlags.isSuperset(of: ["avx2", "fma"]) { return "Haswell" }
        return nil
    }

    /// Kernel families that already use the widest vectors this code knows of.
    static let avx512Cores: Set<String> = ["skylakex", "cooperlake", "sapphirerapids"]

    /// Whether `current` is slower than `preferred` and worth a restart.
    public static func needsRestart(current: String, preferred: String) -> Bool {
        let current = current.lowercased()
        if current == preferred.lowercased() || avx512Cores.contains(current) { return false }
        if preferred == "Haswell" {
            // Zen and later families use the Haswell kernels already.
            return !["haswell", "zen", "skylakex", "cooperlake", "sapphirerapids"].contains(current)
        }
        return true
    }

    static func cpuFlags() -> Set<String> {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":")
        else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }

    /// Re-executes the running program with `OPENBLAS_CORETYPE` set when OpenBLAS loaded a
    /// slower kernel family than the CPU supports, silently: the run banner states the kernels
    /// in use (`kernelDescription`). Returns (without restarting) when the user set
    /// `OPENBLAS_CORETYPE` themselves, when the kernel is already right, or after one restart.
    /// Call it first thing in `main`, before MPI starts.
    /// - Parameter onFailure: told why the restart failed; the program then carries on with the
    ///   slower kernels rather than stop.
    public static func restartWithFastKernelIfNeeded(onFailure: (String) -> Void) {
        let environment = ProcessInfo.processInfo.environment
        guard environment["OPENBLAS_CORETYPE"] == nil, environment[guardVariable] == nil,
              let preferred = preferredCore(cpuFlags: cpuFlags())
        else { return }
        let current = BLAS.coreName
        guard needsRestart(current: current, preferred: preferred) else { return }
        setenv("OPENBLAS_CORETYPE", preferred, 1)
        setenv(guardVariable, current, 1)
        let arguments = CommandLine.arguments
        var cArguments = arguments.map { strdup($0) } + [nil]
        execv("/proc/self/exe", &cArguments)
        onFailure("could not restart with OPENBLAS_CORETYPE=\(preferred) (\(String(cString: strerror(errno)))); continuing with OpenBLAS's slower \(current) kernels.")
    }

    /// The kernels in use and how they were chosen, for a run's banner, e.g. "OpenBLAS SkylakeX
    /// kernels (chosen by bstrain for this CPU; the library picked Haswell)".
    public static var kernelDescription: String {
        let core = BLAS.coreName
        if let loaded = ProcessInfo.processInfo.environment[guardVariable] {
            return "OpenBLAS \(core) kernels (chosen by bstrain for this CPU; the library picked \(loaded))"
        }
        if ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] != nil {
            return "OpenBLAS \(core) kernels (OPENBLAS_CORETYPE from the environment)"
        }
        return "OpenBLAS \(core) kernels"
    }

    /// A hint for when the environment pins a slower kernel family than this CPU supports;
    /// bstrain respects the user's `OPENBLAS_CORETYPE` but says what it costs.
    public static var advice: String? {
        guard let pinned = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"],
              let preferred = preferredCore(cpuFlags: cpuFlags()),
              needsRestart(current: pinned, preferred: preferred)
        else { return nil }
        return "OPENBLAS_CORETYPE=\(pinned) is set in the environment, but this CPU runs OpenBLAS's \(preferred) kernels faster; unset it or set OPENBLAS_CORETYPE=\(preferred)"
    }
}

import Foundation

/// What this machine can give a process before it starts swapping or is killed: checked before
/// a large allocation, so a request that cannot fit is refused with the figures instead of
/// ending in "failed to allocate" or the kernel's out-of-memory killer.
public struct MemoryBudget: Sendable {
    /// Bytes available to new allocations: MemAvailable of /proc/meminfo (free memory plus
    /// what the kernel can reclaim), or the physical memory where that cannot be read.
    public let availableBytes: UInt64

    public init(availableBytes: UInt64) {
        self.availableBytes = availableBytes
    }

    /// This machine, now.
    public static var current: MemoryBudget {
        MemoryBudget(availableBytes: meminfoAvailableBytes() ?? ProcessInfo.processInfo.physicalMemory)
    }

    /// Refuses `neededBytes` for `purpose` when they exceed what is available, with `advice`
    /// on what to change. `neededBytes` nil stands for a size too large to compute (overflow).
    public func check(_ neededBytes: UInt64?, for purpose: String, advice: String) throws(MemoryBudgetError) {
        guard let neededBytes, neededBytes <= availableBytes else {
            throw MemoryBudgetError(purpose: purpose, neededBytes: neededBytes, availableBytes: availableBytes, advice: advice)
        }
    }

    /// `factors` multiplied, or nil when the product overflows or a factor is negative.
    public static func product(_ factors: Int...) -> UInt64? {
        var result: UInt64 = 1
        for factor in factors {
            guard factor >= 0 else { return nil }
            let (value, overflow) = result.multipliedReportingOverflow(by: UInt64(factor))
            if overflow { return nil }
            result = value
        }
        return result
    }

    /// `terms` added, or nil when one is nil or the sum overflows.
    public static func sum(_ terms: UInt64?...) -> UInt64? {
        var result: UInt64 = 0
        for term in terms {
            guard let term else { return nil }
            let (value, overflow) = result.addingReportingOverflow(term)
            if overflow { return nil }
            result = value
        }
        return result
    }

    private static func meminfoAvailableBytes() -> UInt64? {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") })
        else { return nil }
        let fields = line.split(separator: " ")
        guard fields.count >= 2, let kibibytes = UInt64(fields[1]) else { return nil }
        return kibibytes * 1024
    }
}

/// A request for more memory than the machine has.
public struct MemoryBudgetError: Error, CustomStringConvertible, Equatable {
    public let purpose: String
    public let neededBytes: UInt64?
    public let availableBytes: UInt64
    public let advice: String

    public var description: String {
        let needed = neededBytes.map { Self.format($0) } ?? "more than can be counted"
        return "\(purpose) needs \(needed) of memory, but this machine has \(Self.format(availableBytes)) available; \(advice)"
    }

    /// "1.5 GB", "160 GB", "300 MB": decimal units, as `free -h` users read them.
    public static func format(_ bytes: UInt64) -> String {
        let value = Double(bytes)
        if value >= 1e12 { return String(format: "%.1f TB", value / 1e12) }
        if value >= 1e9 { return String(format: "%.1f GB", value / 1e9) }
        return String(format: "%.0f MB", (value / 1e6).rounded(.up))
    }
}

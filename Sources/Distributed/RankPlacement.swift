/// Bytes of a host name in the gather; longer names are cut (MPI's own limit is 256).
private let hostNameWidth = 256

extension Communicator {
    /// Every rank's host name, in rank order. Collective: every rank must call it.
    public func gatherHostNames() throws -> [String] {
        // Fixed-width, zero-padded records, so one all-gather of bytes serves every name.
        var record = [UInt8](repeating: 0, count: hostNameWidth)
        for (index, byte) in hostName.utf8.prefix(hostNameWidth - 1).enumerated() { record[index] = byte }
        var gathered = [UInt8](repeating: 0, count: hostNameWidth * worldSize)
        try record.withUnsafeBytes { send in
            try gathered.withUnsafeMutableBytes { receive in try allGather(bytes: send, into: receive) }
        }
        return (0..<worldSize).map { rank in
            let bytes = gathered[(rank * hostNameWidth)..<((rank + 1) * hostNameWidth)]
            return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    /// One line naming the world size and which ranks run on which host, e.g.
    /// "4 ranks: node1 (0-1), node2 (2-3)", for the start-up banner. Collective: every rank
    /// must call it; every rank gets the line.
    public func placementSummary() throws -> String {
        rankPlacementSummary(hostNames: try gatherHostNames())
    }
}

/// The start-up line for ranks placed on `hostNames[rank]`: hosts in order of their first
/// rank, each with its ranks as ranges ("4 ranks: vm (0-3)", "3 ranks: a (0, 2), b (1)").
public func rankPlacementSummary(hostNames: [String]) -> String {
    var hosts: [(name: String, ranks: [Int])] = []
    for (rank, host) in hostNames.enumerated() {
        if let index = hosts.firstIndex(where: { $0.name == host }) {
            hosts[index].ranks.append(rank)
        } else {
            hosts.append((host, [rank]))
        }
    }
    let placements = hosts.map { host in "\(host.name) (\(rankRanges(host.ranks)))" }
    let count = hostNames.count
    return "\(count) rank\(count == 1 ? "" : "s"): " + placements.joined(separator: ", ")
}

/// Ascending ranks as comma-separated runs: [0, 1, 2, 5] gives "0-2, 5".
private func rankRanges(_ ranks: [Int]) -> String {
    var runs: [String] = []
    var start = 0
    while start < ranks.count {
        var end = start
        while end + 1 < ranks.count, ranks[end + 1] == ranks[end] + 1 { end += 1 }
        runs.append(end == start ? "\(ranks[start])" : "\(ranks[start])-\(ranks[end])")
        start = end + 1
    }
    return runs.joined(separator: ", ")
}

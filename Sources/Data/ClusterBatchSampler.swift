import Support

/// How a training batch is composed from the data-mining groups.
public enum BatchMode: String, CaseIterable, Sendable {
    /// Each group in proportion to its size (paper §2.3, step 4).
    case ratio
    /// Equal counts from every group (the paper's Chest-2 run: 6 groups x 6 = 36).
    case balanced
    /// A plain shuffle of the training set, groups ignored.
    case random
    /// Equal counts from every class, each class's share split among its groups in proportion
    /// to their size: `ratio` within a class, `balanced` across classes.
    case classBalanced = "class-balanced"
}

/// Draws the global batch plan of an epoch from the data-mining groups (paper §2.3).
///
/// The plan is a pure function of (seed, epoch, iteration) and the clustering, so every rank
/// computes the same one and takes its own slice. Within an epoch a group is drawn without
/// replacement through a shuffled order, reshuffled when used up.
///
/// Batch counts: group g's share is w_g = size_g / training-set size (`ratio`), 1 / groups
/// (`balanced`), or (1 / classes) · size_g / size of g's class (`class-balanced`). Only
/// `class-balanced` gives the classes equal shares whatever their sizes; `balanced` does too
/// when every class has the same number of groups (`--groups-per-class` one count). A batch gives every group floor(w_g N_b) samples; the N_b - sum floor(w_g N_b)
/// remaining places go to groups with probability equal to their fractional remainder
/// (systematic sampling keyed by seed, epoch and iteration). Each batch is thus a
/// largest-remainder-style rounding of w_g N_b, and over many batches every group, even one
/// with w_g N_b < 1, is drawn at exactly its share.
public struct ClusterBatchSampler: Sendable {
    public let batchSize: Int
    public let mode: BatchMode
    public let seed: UInt64
    public let iterationsPerEpoch: Int
    /// Sample indices of every group, groups numbered class by class.
    public let groups: [[Int]]
    /// Each group's share of a batch.
    public let shares: [Double]

    /// - Parameter iterationsPerEpoch: default ceil(training-set size / batchSize).
    public init(
        assignment: ClusterAssignment, labels: [Int], batchSize: Int, mode: BatchMode = .ratio, seed: UInt64,
        iterationsPerEpoch: Int? = nil
    ) throws(DatasetError) {
        try Self.validate(batchSize: batchSize)
        self.batchSize = batchSize
        self.mode = mode
        self.seed = seed
        self.iterationsPerEpoch = iterationsPerEpoch ?? (labels.count + batchSize - 1) / batchSize
        if mode == .random {
            groups = [Array(labels.indices)]
        } else {
            let firstGroup = assignment.groupsPerClass.reduce(into: [0]) { $0.append($0.last! + $1) }
            var members = [[Int]](repeating: [], count: firstGroup.last!)
            for (index, label) in labels.enumerated() { members[firstGroup[label] + assignment.groups[index]].append(index) }
            groups = members
        }
        let total = Double(labels.count)
        // K-means can leave a group empty on degenerate data (many identical images): it gets no share.
        let nonEmpty = Double(groups.count { !$0.isEmpty })
        var classSizes = [Int](repeating: 0, count: (labels.max() ?? -1) + 1)
        for label in labels { classSizes[label] += 1 }
        let classCount = Double(classSizes.count { $0 > 0 })
        shares = groups.map { members in
            guard let first = members.first else { return 0 }
            switch mode {
            case .balanced: return 1 / nonEmpty
            case .classBalanced: return Double(members.count) / Double(classSizes[labels[first]]) / classCount
            case .ratio, .random: return Double(members.count) / total
            }
        }
    }

    /// Refuses a batch of one image: BSTriplet compares images within a batch (docs/method.md, "Edge cases").
    public static func validate(batchSize: Int) throws(DatasetError) {
        guard batchSize >= 2 else {
            throw .invalidOption(name: "--batch", value: "\(batchSize)", expected: "at least 2 (BSTriplet compares images within a batch)")
        }
    }

    /// Mean number of samples per batch from each group: share x batch size.
    public var expectedCounts: [Double] { shares.map { $0 * Double(batchSize) } }

    /// The global sample indices of every batch of `epoch`, in batch order.
    public func plan(epoch: Int) -> [[Int]] {
        var cursors = [Int](repeating: 0, count: groups.count)
        var orders = groups.indices.map { permutation(group: $0, epoch: epoch, round: 0) }
        var plan: [[Int]] = []
        plan.reserveCapacity(iterationsPerEpoch)
        for iteration in 0..<iterationsPerEpoch {
            var batch: [Int] = []
            batch.reserveCapacity(batchSize)
            for (group, count) in counts(epoch: epoch, iteration: iteration).enumerated() {
                for _ in 0..<count {
                    let size = groups[group].count
                    if cursors[group] > 0 && cursors[group] % size == 0 {
                        orders[group] = permutation(group: group, epoch: epoch, round: cursors[group] / size)
                    }
                    batch.append(orders[group][cursors[group] % size])
                    cursors[group] += 1
                }
            }
            // Mix the groups so that no rank's slice holds a single group.
            var generator = SplitMix64(seed: SplitMix64.key(seed, 0xBA7C4, UInt64(epoch), UInt64(iteration)))
            generator.shuffle(&batch)
            plan.append(batch)
        }
        return plan
    }

    /// Samples drawn from each group in one batch (see the type's documentation).
    func counts(epoch: Int, iteration: Int) -> [Int] {
        var counts = expectedCounts.map { Int($0.rounded(.down)) }
        var remainders = zip(expectedCounts, counts).map { $0 - Double($1) }
        let places = batchSize - counts.reduce(0, +)
        guard places > 0 else { return counts }
        // The remainders sum to `places`; rescale away rounding so the last point lands.
        let scale = Double(places) / remainders.reduce(0, +)
        remainders = remainders.map { $0 * scale }
        var generator = SplitMix64(seed: SplitMix64.key(seed, 0x5E1EC7, UInt64(epoch), UInt64(iteration)))
        var point = Double(generator.nextUniform())
        var cumulative = 0.0
        var given = 0
        for (group, remainder) in remainders.enumerated() where given < places {
            cumulative += remainder
            if point < cumulative {
                counts[group] += 1
                given += 1
                point += 1
            }
        }
        if given < places, let largest = remainders.indices.max(by: { remainders[$0] < remainders[$1] }) {
            counts[largest] += 1  // the last point fell past the end by float rounding
        }
        return counts
    }

    private func permutation(group: Int, epoch: Int, round: Int) -> [Int] {
        var order = groups[group]
        var generator = SplitMix64(seed: SplitMix64.key(seed, 0x9E0_0B, UInt64(epoch), UInt64(group), UInt64(round)))
        generator.shuffle(&order)
        return order
    }
}

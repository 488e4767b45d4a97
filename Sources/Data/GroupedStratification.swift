import Support

/// Splits that keep every group (patient) whole and every class's share close to the target:
/// the held-out validation split and the folds of cross-validation. A group lives in the
/// class most of its images belong to; groups are placed largest first, in an order shuffled
/// by the seed, each where it leaves the per-class shares closest to their targets (the greedy
/// scheme of scikit-learn's StratifiedGroupKFold).
public enum GroupedStratification {
    /// The images to hold out for validation: about `fraction` of each class, whole groups only,
    /// never every image of a class, and at least one image of each class that has two groups.
    public static func validationMembers(
        labels: [Int], groups: [Int], classCount: Int, fraction: Double, seed: UInt64
    ) -> Set<Int> {
        let summary = GroupSummary(labels: labels, groups: groups, classCount: classCount, seed: seed)
        var held = Set<Int>()
        for label in 0..<classCount {
            // Patients drawn at random, as a random split draws images.
            let members = summary.shuffled.filter { summary.majorityClass[$0] == label }
            guard members.count >= 2 else { continue }
            let total = summary.classTotals[label]
            let target = max(1, Int((fraction * Double(total)).rounded()))
            var count = 0
            for group in members {
                let size = summary.histograms[group][label]
                // A group joins when it brings the count closer to the target, never emptying
                // the class's training side.
                guard abs(count + size - target) < abs(count - target), count + size < total else { continue }
                held.formUnion(summary.images[group])
                count += size
            }
            if count == 0, let smallest = members.min(by: { summary.images[$0].count < summary.images[$1].count }) {
                held.formUnion(summary.images[smallest])
            }
        }
        return held
    }

    /// The fold (0..<folds) of every image: whole groups, each class spread evenly over folds.
    public static func folds(labels: [Int], groups: [Int], classCount: Int, folds: Int, seed: UInt64) -> [Int] {
        let summary = GroupSummary(labels: labels, groups: groups, classCount: classCount, seed: seed)
        var filled = Array(repeating: Array(repeating: 0, count: classCount), count: folds)
        var foldOfGroup = Array(repeating: 0, count: summary.histograms.count)
        for group in summary.order {
            let histogram = summary.histograms[group]
            // The fold where the group's classes are least filled: the smallest growth of the
            // sum of squared per-class shares; ties go to the fold with fewer images.
            var best = 0
            var bestCost = (Double.infinity, Int.max)
            for fold in 0..<folds {
                var growth = 0.0
                for label in 0..<classCount where histogram[label] > 0 {
                    let total = Double(summary.classTotals[label])
                    let before = Double(filled[fold][label]) / total
                    let after = Double(filled[fold][label] + histogram[label]) / total
                    growth += after * after - before * before
                }
                let cost = (growth, filled[fold].reduce(0, +))
                if cost < bestCost {
                    bestCost = cost
                    best = fold
                }
            }
            foldOfGroup[group] = best
            for label in 0..<classCount { filled[best][label] += histogram[label] }
        }
        return groups.map { foldOfGroup[$0] }
    }
}

/// Per-group class counts and the order in which groups are placed.
private struct GroupSummary {
    let histograms: [[Int]]
    let images: [[Int]]
    let majorityClass: [Int]
    let classTotals: [Int]
    /// The groups in an order shuffled by the seed.
    let shuffled: [Int]
    /// Largest first; groups of one size in the shuffled order.
    let order: [Int]

    init(labels: [Int], groups: [Int], classCount: Int, seed: UInt64) {
        let groupCount = (groups.max() ?? -1) + 1
        var histograms = Array(repeating: Array(repeating: 0, count: classCount), count: groupCount)
        var images = Array(repeating: [Int](), count: groupCount)
        var classTotals = Array(repeating: 0, count: classCount)
        for (image, (label, group)) in zip(labels, groups).enumerated() {
            histograms[group][label] += 1
            images[group].append(image)
            classTotals[label] += 1
        }
        self.histograms = histograms
        self.images = images
        self.classTotals = classTotals
        majorityClass = histograms.map { histogram in histogram.indices.max { histogram[$0] < histogram[$1] } ?? 0 }
        var generator = SplitMix64(seed: SplitMix64.key(seed, 0x6_2011_95))
        var shuffled = (0..<groupCount).filter { !images[$0].isEmpty }
        generator.shuffle(&shuffled)
        self.shuffled = shuffled
        let sizes = images.map(\.count)
        order = shuffled.enumerated().sorted { a, b in
            sizes[a.element] != sizes[b.element] ? sizes[a.element] > sizes[b.element] : a.offset < b.offset
        }.map(\.element)
    }
}

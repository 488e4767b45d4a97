import Foundation

/// The data-mining groups of the training images (paper §2.3): each class clustered into its
/// own number of groups by K-means on `ClusterDescriptor`s.
///
/// Written beside a run as `clusters.csv` (path, class, group) and reused while it still
/// describes the same images, classes and groups per class.
public struct ClusterAssignment: Equatable, Sendable {
    /// Groups of each class, indexed by label.
    public let groupsPerClass: [Int]
    /// Group of each training image within its class (0-based), by sample index.
    public let groups: [Int]

    public init(groupsPerClass: [Int], groups: [Int]) {
        self.groupsPerClass = groupsPerClass
        self.groups = groups
    }

    /// Parses `--groups-per-class`: one count for every class ("2") or one per class ("2,3").
    public static func groupsPerClass(_ text: String, classCount: Int) throws(DatasetError) -> [Int] {
        let counts = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        let expected = "a positive count, or \(classCount) comma-separated counts (one per class)"
        guard !counts.isEmpty, counts.allSatisfy({ ($0 ?? 0) > 0 }) else {
            throw .invalidOption(name: "--groups-per-class", value: text, expected: expected)
        }
        if counts.count == 1 { return Array(repeating: counts[0]!, count: classCount) }
        guard counts.count == classCount else {
            throw .invalidOption(name: "--groups-per-class", value: text, expected: expected)
        }
        return counts.map { $0! }
    }

    /// Clusters every class of `cache` into `groupsPerClass[label]` groups. Groups are numbered
    /// by decreasing size (ties: the group holding the lower sample index first).
    public static func compute(
        for cache: ImageCache, groupsPerClass: [Int], seed: UInt64, threads: Int = 1,
        reduction: KMeansReduction = .local
    ) throws(DatasetError) -> ClusterAssignment {
        precondition(groupsPerClass.count == cache.folder.classNames.count)
        let descriptors = ClusterDescriptor.descriptors(of: cache, threads: threads)
        let dimension = ClusterDescriptor.dimension
        let labels = cache.labels
        var groups = [Int](repeating: 0, count: cache.count)
        for (label, groupCount) in groupsPerClass.enumerated() {
            let members = labels.indices.filter { labels[$0] == label }
            guard members.count >= groupCount else {
                throw .tooFewImagesForGroups(
                    className: cache.folder.classNames[label], images: members.count, groups: groupCount)
            }
            var points = [Float]()
            points.reserveCapacity(members.count * dimension)
            for member in members { points += descriptors[(member * dimension)..<((member + 1) * dimension)] }
            let kMeans = KMeans(clusterCount: groupCount, seed: UInt64(label) &+ seed)
            let clusters = kMeans.fit(points, dimension: dimension, reduction: reduction).assignments
            let order = (0..<groupCount).sorted { first, second in
                let firstSize = clusters.count { $0 == first }
                let secondSize = clusters.count { $0 == second }
                if firstSize != secondSize { return firstSize > secondSize }
                return (clusters.firstIndex(of: first) ?? .max) < (clusters.firstIndex(of: second) ?? .max)
            }
            let rank = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
            for (position, member) in members.enumerated() { groups[member] = rank[clusters[position]]! }
        }
        return ClusterAssignment(groupsPerClass: groupsPerClass, groups: groups)
    }

    /// Reads `url` if it exists and matches `folder` and `groupsPerClass`, otherwise computes
    /// the clustering and writes it there. `reused` tells which happened, `staleReason` why an
    /// existing file was not used.
    public static func loadOrCompute(
        at url: URL, for cache: ImageCache, groupsPerClass: [Int], seed: UInt64, threads: Int = 1,
        reduction: KMeansReduction = .local
    ) throws(DatasetError) -> (assignment: ClusterAssignment, reused: Bool, staleReason: DatasetError?) {
        var staleReason: DatasetError?
        if FileManager.default.fileExists(atPath: url.path) {
            do throws(DatasetError) {
                return (try read(from: url, matching: cache.folder, groupsPerClass: groupsPerClass), true, nil)
            } catch .staleClusterFile(let path, let reason) {
                staleReason = .staleClusterFile(path: path, reason: reason)
            }
        }
        let assignment = try compute(
            for: cache, groupsPerClass: groupsPerClass, seed: seed, threads: threads, reduction: reduction)
        try assignment.write(to: url, folder: cache.folder)
        return (assignment, false, staleReason)
    }

    /// Writes one row per image: path (relative to the folder's root), class name, group.
    public func write(to url: URL, folder: ImageFolder) throws(DatasetError) {
        precondition(folder.count == groups.count)
        var text = CSV.line(["path", "class", "group"])
        for (index, image) in folder.images.enumerated() {
            text += CSV.line([image.path, folder.classNames[image.label], String(groups[index])])
        }
        do {
            try text.write(to: url, atomically: true, encoding: .utf8)
        } catch {
            throw .unwritableFile(path: url.path, reason: error.localizedDescription)
        }
    }

    /// Reads a file written by `write`, throwing `staleClusterFile` unless it lists exactly
    /// the images and classes of `folder` with `groupsPerClass` non-empty groups per class.
    public static func read(
        from url: URL, matching folder: ImageFolder, groupsPerClass: [Int]
    ) throws(DatasetError) -> ClusterAssignment {
        func stale(_ reason: String) -> DatasetError { .staleClusterFile(path: url.path, reason: reason) }
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw stale("unreadable: \(error.localizedDescription)")
        }
        var rows = CSV.rows(text)
        guard rows.first == ["path", "class", "group"] else { throw stale("no path,class,group header") }
        rows.removeFirst()
        guard rows.count == folder.count else { throw stale("\(rows.count) rows for \(folder.count) images") }
        let indexOfPath = Dictionary(folder.images.enumerated().map { ($1.path, $0) }, uniquingKeysWith: { first, _ in first })
        var groups = [Int?](repeating: nil, count: folder.count)
        for row in rows {
            guard row.count == 3, let index = indexOfPath[row[0]] else { throw stale("image \(row.first ?? "") is not in the dataset") }
            let label = folder.images[index].label
            guard row[1] == folder.classNames[label] else { throw stale("\(row[0]) is listed as class \(row[1])") }
            guard let group = Int(row[2]), (0..<groupsPerClass[label]).contains(group) else {
                throw stale("group \(row[2]) of \(row[0]) is outside the \(groupsPerClass[label]) groups asked for its class")
            }
            groups[index] = group
        }
        guard groups.allSatisfy({ $0 != nil }) else { throw stale("some images are listed twice") }
        let assignment = ClusterAssignment(groupsPerClass: groupsPerClass, groups: groups.map { $0! })
        for (label, sizes) in assignment.groupSizes(labels: folder.images.map(\.label)).enumerated() where sizes.contains(0) {
            throw stale("class \(folder.classNames[label]) has \(sizes.filter { $0 > 0 }.count) groups, not \(groupsPerClass[label])")
        }
        return assignment
    }

    /// Image count of every group, per class.
    public func groupSizes(labels: [Int]) -> [[Int]] {
        var sizes = groupsPerClass.map { [Int](repeating: 0, count: $0) }
        for (index, label) in labels.enumerated() { sizes[label][groups[index]] += 1 }
        return sizes
    }
}

import ArgumentParser
import Data
import Foundation
import Support

/// `bstrain data`: loads, decodes and clusters a dataset the way `train` would, and reports
/// what it found and how long each step took.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Load, decode and cluster a dataset; print classes, data-mining groups, batch composition and timings.",
        discussion: """
            Expects root/<class>/*.jpg|*.jpeg|*.png (one subfolder per class, sorted by name). Every image \
            is decoded once (DCT-scaled, then area-resized to --image-size, aspect ratio not kept) into \
            an in-memory cache of images x size x size x channels bytes: 5216 images at 128 x 128 x 1 \
            take 85 MB. Each class is then split into data-mining groups by K-means on 32 x 32 grey \
            thumbnails (paper section 2.3).
            """)

    @Option(help: "Training folder (root/<class>/*.jpg or *.png).")
    var train: String

    @Option(help: "Validation folder with the same classes; without it --val-fraction of each training class is held out.")
    var val: String?

    @Option(help: "Share of each training class held out for validation when --val is not given (0 holds none).")
    var valFraction = 0.1

    @Option(help: "Regular expression whose first capture group names each file's patient, kermany, or none (every image its own patient); the report then counts patients and the validation share is whole patients.")
    var groupPattern = "kermany"

    @Option(help: "CSV of path,group rows naming each image's patient; replaces --group-pattern.")
    var groups: String?

    @Option(help: "Side of the square images the network sees, in pixels.")
    var imageSize = 128

    @Option(help: "1 (grey; colour files give ITU-R 601 luma) or 3 (RGB; grey files are replicated).")
    var channels = 1

    @Option(help: "Data-mining groups per class: one count (\"2\") or one per class (\"2,3\").")
    var groupsPerClass = "2"

    @Option(help: "Global batch size N_b.")
    var batch = 36

    @Option(help: "Batch composition: ratio (groups by size), balanced (equal per group) or random (plain shuffle).")
    var batchMode: BatchMode = .ratio

    @Option(help: "Seed of the validation split and the K-means.")
    var seed: UInt64 = 1

    @Option(help: "Decoding threads (default: all cores).")
    var threads = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "Leave out bad images (corrupt, or neither JPEG nor PNG) and list them, instead of stopping at the first.")
    var skipBad = false

    @Option(help: ArgumentHelp(InferenceOptions.maxImagePixelsHelp))
    var maxImagePixels = JPEG.defaultMaximumPixels

    @Option(help: "Write (or reuse, when it matches) the cluster assignment CSV (path,class,group) here.")
    var clustersOut: String?

    func run() throws {
        try ClusterBatchSampler.validate(batchSize: batch)
        let dataset = try ImageFolderDataset(
            train: URL(fileURLWithPath: train), validation: val.map { URL(fileURLWithPath: $0) },
            validationFraction: valFraction, grouping: PatientGrouping(pattern: groupPattern, file: groups), seed: seed)
        let groupsPerClass = try ClusterAssignment.groupsPerClass(groupsPerClass, classCount: dataset.classNames.count)
        let validationSource = val.map { "folder \($0)" } ?? "\(valFraction) of each training class held out"
        print("Training folder \(train): \(dataset.classNames.count) classes, \(dataset.train.count) images; "
            + (dataset.validation.map { "validation (\(validationSource)): \($0.count) images" } ?? "no validation split"))
        if let patients = dataset.patients { report(patients, classNames: dataset.classNames) }

        let clock = ContinuousClock()
        var decoded: [ImageCache] = []
        let decodeTime = try clock.measure {
            for folder in [dataset.train] + (dataset.validation.map { [$0] } ?? []) {
                decoded.append(try ImageCache(
                    decoding: folder, imageSize: imageSize, channels: channels, threads: threads, skipBad: skipBad,
                    maximumPixels: maxImagePixels))
            }
        }
        let imageCount = decoded.reduce(0) { $0 + $1.count + $1.skipped.count }
        let bytes = decoded.reduce(0) { $0 + ImageCache.byteCount(images: $1.count, imageSize: imageSize, channels: channels) }
        print(String(
            format: "Decoded %d images to %dx%dx%d in %.2f s (%.0f images/s, %d thread%@); cache %.1f MB",
            imageCount, imageSize, imageSize, channels, decodeTime.seconds, Double(imageCount) / decodeTime.seconds,
            threads, threads == 1 ? "" : "s", Double(bytes) / 1e6))
        for skipped in decoded.flatMap(\.skipped) { print("  skipped: \(skipped.error)") }

        let cache = decoded[0]
        var assignment: ClusterAssignment?
        var reuseNote = ""
        let clusterTime = try clock.measure {
            if let clustersOut {
                let result = try ClusterAssignment.loadOrCompute(
                    at: URL(fileURLWithPath: clustersOut), for: cache, groupsPerClass: groupsPerClass, seed: seed,
                    threads: threads)
                assignment = result.assignment
                reuseNote = result.reused
                    ? " (reused \(clustersOut))"
                    : " (wrote \(clustersOut)\(result.staleReason.map { "; \($0)" } ?? ""))"
            } else {
                assignment = try ClusterAssignment.compute(
                    for: cache, groupsPerClass: groupsPerClass, seed: seed, threads: threads)
            }
        }
        print(String(format: "Clustered in %.2f s%@", clusterTime.seconds, reuseNote))
        try report(assignment!, cache: cache)
    }

    private func report(_ patients: PatientGroupReport, classNames: [String]) {
        for (label, name) in classNames.enumerated() {
            let validation = patients.validationPatientsPerClass.isEmpty ? "" : ", validation \(patients.validationPatientsPerClass[label])"
            print("class \(name): patients in training \(patients.trainPatientsPerClass[label])\(validation)")
        }
        if patients.ungroupedImages > 0 {
            print("\(patients.ungroupedImages) image(s) whose name the grouping does not match, each counted as a patient of its own")
        }
        for warning in patients.warnings { writeToStandardError("bstrain: warning: \(warning)\n") }
    }

    private func report(_ assignment: ClusterAssignment, cache: ImageCache) throws {
        let sampler = try ClusterBatchSampler(
            assignment: assignment, labels: cache.labels, batchSize: batch, mode: batchMode, seed: seed)
        let sizes = assignment.groupSizes(labels: cache.labels)
        let expected = sampler.expectedCounts
        var group = 0
        for (label, name) in cache.folder.classNames.enumerated() {
            print("class \(name): \(cache.folder.classCounts[label]) images")
            for (index, size) in sizes[label].enumerated() {
                let ratio = Double(size) / Double(cache.count)
                // A plain shuffle draws each group at its ratio on average.
                let perBatch = batchMode == .random ? ratio * Double(batch) : expected[group]
                print(String(format: "  group %d: %d images, ratio %.4f, %.2f per batch", index, size, ratio, perBatch))
                group += 1
            }
        }
        print("batch \(batch) (\(batchMode.rawValue)), \(sampler.iterationsPerEpoch) iterations per epoch")
    }
}

extension BatchMode: ExpressibleByArgument {}

extension Duration {
    fileprivate var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}

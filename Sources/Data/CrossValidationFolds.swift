import Foundation

extension ImageFolderDataset {
    /// The datasets of k-fold cross-validation of the class folders at `root`: fold k's test
    /// split is the k-th part of the patients (`GroupedStratification.folds`: whole patients,
    /// each class spread evenly), its validation split a share of the other patients held out
    /// as `init` holds one out, and its training split the rest. Without a grouping every
    /// image is a patient of its own.
    public static func crossValidationFolds(
        of root: URL, folds: Int, grouping: PatientGrouping?, validationFraction: Double, seed: UInt64
    ) throws(DatasetError) -> [ImageFolderDataset] {
        guard folds >= 2 else { throw .invalidOption(name: "--folds", value: "\(folds)", expected: "at least 2") }
        guard validationFraction > 0, validationFraction < 1 else {
            throw .invalidOption(name: "--val-fraction", value: "\(validationFraction)", expected: "a fraction in (0, 1): each fold holds out validation patients")
        }
        let folder = try ImageFolder.scan(root)
        var groups = PatientGroups.individual(folder)
        if let grouping {
            do { groups = try grouping.groups(of: folder) } catch { throw .patientGroups(error) }
        }
        let labels = folder.images.map(\.label)
        let classCount = folder.classNames.count
        // Each fold's training part must still hold two patients of each class for validation.
        for (label, count) in groups.groupCounts(labels: labels, classCount: classCount).enumerated() where count < folds + 1 {
            throw .tooFewPatientsForFolds(className: folder.classNames[label], patients: count, folds: folds)
        }
        let foldOfImage = GroupedStratification.folds(
            labels: labels, groups: groups.groupOfImage, classCount: classCount, folds: folds, seed: seed)
        var datasets: [ImageFolderDataset] = []
        for fold in 0..<folds {
            let (rest, test) = split(folder, holdingOut: Set(foldOfImage.indices.filter { foldOfImage[$0] == fold }))
            for (label, count) in test.classCounts.enumerated() where count == 0 {
                throw .tooFewPatientsForFolds(className: folder.classNames[label], patients: 0, folds: folds)
            }
            let (train, validation) = if let grouping {
                try groupedSplit(rest, grouping: grouping, fraction: validationFraction, seed: seed)
            } else {
                try stratifiedSplit(rest, fraction: validationFraction, seed: seed)
            }
            var patients: PatientGroupReport?
            if let grouping {
                do {
                    patients = try PatientGroupReport(train: train, validation: validation, test: test, grouping: grouping)
                } catch {
                    throw .patientGroups(error)
                }
            }
            datasets.append(ImageFolderDataset(
                classNames: folder.classNames, train: train, validation: validation, test: test, patients: patients))
        }
        return datasets
    }
}

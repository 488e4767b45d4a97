import Data
import Foundation

extension TrainingConfiguration {
    /// The grouping `--groups` or `--group-pattern` asks for; nil for every image its own patient.
    public func patientGrouping() -> PatientGrouping? {
        PatientGrouping(pattern: groupPattern, file: groups)
    }

    /// The run's folders and split, as every run with these options sees them: the same
    /// seeded hold-out (of whole patients, with a grouping) when no validation folder is given.
    public func dataset() throws -> ImageFolderDataset {
        try ImageFolderDataset(
            train: URL(fileURLWithPath: train), validation: val.map { URL(fileURLWithPath: $0) },
            validationFraction: valFraction, test: test.map { URL(fileURLWithPath: $0) },
            grouping: patientGrouping(), seed: seed)
    }
}

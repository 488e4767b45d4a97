import Foundation

/// Why a dataset could not be read, naming the file or folder and what to do about it.
public enum DatasetError: Error, CustomStringConvertible, Equatable, Sendable {
    case missingDirectory(path: String)
    case unreadableDirectory(path: String, reason: String)
    case unreadableFile(path: String, reason: String)
    case unwritableFile(path: String, reason: String)
    case emptyFile(path: String)
    /// A FIFO, device or socket where an image file was expected; `kind` says which.
    case notRegularFile(path: String, kind: String)
    /// A file with a JPEG extension whose bytes are something else (`detected` names what).
    case notJPEG(path: String, detected: String)
    /// libjpeg failed or warned (truncated scan, bad Huffman code, ...): the pixels cannot be trusted.
    case corruptJPEG(path: String, reason: String)
    /// Cut short in a way libjpeg decodes without a warning; `reason` says where it ends.
    case truncatedJPEG(path: String, reason: String)
    /// A valid JPEG that cannot be decoded to 8-bit grey or RGB (12-bit, lossless, unknown colours).
    case unsupportedJPEG(path: String, reason: String)
    /// A file whose bytes are neither a JPEG nor a PNG, whatever its name (`detected` names what).
    case unsupportedImageFormat(path: String, detected: String)
    /// libpng failed: a wrong CRC, a bad zlib stream, too little image data, an invalid header.
    case corruptPNG(path: String, reason: String)
    /// The file ends before the PNG's end chunk (IEND).
    case truncatedPNG(path: String)
    case corruptDICOM(path: String, reason: String)
    case unsupportedDICOM(path: String, reason: String)
    /// The header declares more pixels than `limit` (--max-image-pixels): refused before decoding,
    /// since a few bytes can declare an image of gigabytes.
    case imageTooLarge(path: String, width: Int, height: Int, limit: Int)
    /// libjpeg needed more than `limitBytes` for its buffers, the bound that follows from the pixel limit.
    case decoderMemoryExceeded(path: String, limitBytes: Int)
    case emptyClassFolder(path: String)
    case tooFewClasses(root: String, found: [String])
    case mismatchedClasses(split: String, path: String, expected: [String], found: [String])
    case tooFewImagesForGroups(className: String, images: Int, groups: Int)
    /// A validation share held out of the training folder needs one image of every class, and training another.
    case tooFewImagesToHoldOut(className: String, images: Int)
    /// A validation share of whole patients needs two patients of every class.
    case tooFewPatientsToHoldOut(className: String, patients: Int)
    case patientGroups(GroupingError)
    /// Cross-validation needs a patient of every class in every fold, and two more for validation.
    case tooFewPatientsForFolds(className: String, patients: Int, folds: Int)
    /// `--skip-bad` left a class of a split without images: all `skipped` of them were bad.
    case everyImageSkipped(path: String, skipped: Int)
    case invalidOption(name: String, value: String, expected: String)
    /// A cluster CSV that does not describe this dataset; callers recompute the clustering.
    case staleClusterFile(path: String, reason: String)

    public var description: String {
        switch self {
        case .missingDirectory(let path):
            return "dataset folder \(path) does not exist; check the path (expected root/<class>/*.jpg)"
        case .unreadableDirectory(let path, let reason):
            return "cannot list folder \(path): \(reason); check its permissions"
        case .unreadableFile(let path, let reason):
            return "cannot read \(path): \(reason); check its permissions or remove it (or pass --skip-bad)"
        case .unwritableFile(let path, let reason):
            return "cannot write \(path): \(reason); check that its folder exists and is writable"
        case .notRegularFile(let path, let kind):
            return "\(path) is \(kind), not a regular file; remove it or pass --skip-bad"
        case .emptyFile(let path):
            return "\(path) is empty (0 bytes); remove it or pass --skip-bad"
        case .notJPEG(let path, let detected):
            return "\(path) is not a JPEG (it looks like \(detected)); convert it to JPEG or remove it, or pass --skip-bad"
        case .corruptJPEG(let path, let reason):
            return "\(path) is a corrupt or truncated JPEG (libjpeg: \(reason)); replace or remove it, or pass --skip-bad"
        case .truncatedJPEG(let path, let reason):
            return "\(path) is a truncated JPEG (\(reason)); replace or remove it, or pass --skip-bad"
        case .unsupportedJPEG(let path, let reason):
            return "\(path) is a JPEG bstrain cannot decode (\(reason)); convert it to an 8-bit grey or colour JPEG, "
                + "or remove it, or pass --skip-bad"
        case .unsupportedImageFormat(let path, let detected):
            return "\(path) is not a JPEG, PNG or DICOM file (it looks like \(detected)); convert it to PNG or JPEG or remove it, "
                + "or pass --skip-bad"
        case .corruptPNG(let path, let reason):
            return "\(path) is a corrupt PNG (libpng: \(reason)); replace or remove it, or pass --skip-bad"
        case .truncatedPNG(let path):
            return "\(path) is a truncated PNG (it ends before its end chunk, IEND); replace or remove it, or pass --skip-bad"
        case .corruptDICOM(let path, let reason):
            return "\(path) is a corrupt or truncated DICOM file (\(reason)); replace or remove it, or pass --skip-bad"
        case .unsupportedDICOM(let path, let reason):
            return "\(path) is a DICOM file bstrain cannot read: \(reason); convert it (e.g. with DCMTK's dcmdjpeg or "
                + "gdcmconv --raw) or remove it, or pass --skip-bad"
        case .imageTooLarge(let path, let width, let height, let limit):
            return "\(path) declares \(width) x \(height) = \(width * height) pixels, more than the limit of \(limit) "
                + "(it may be a decompression bomb); raise --max-image-pixels if the image is genuine, otherwise remove it or pass --skip-bad"
        case .decoderMemoryExceeded(let path, let limitBytes):
            return "\(path) needs more than \(limitBytes >> 20) MiB to decode, the most an image within --max-image-pixels may take; "
                + "remove it or pass --skip-bad"
        case .emptyClassFolder(let path):
            return "class folder \(path) holds no .jpg/.jpeg/.png/.dcm images; add images or remove the folder"
        case .tooFewClasses(let root, let found):
            let listed = found.isEmpty ? "none" : found.joined(separator: ", ")
            return "\(root) has \(found.count) class folder(s) (\(listed)); classification needs at least two: root/<class>/*.jpg|*.png"
        case .mismatchedClasses(let split, let path, let expected, let found):
            return "\(split) folder \(path) has classes [\(found.joined(separator: ", "))] but the training folder has "
                + "[\(expected.joined(separator: ", "))]; every split needs the same class folders"
        case .tooFewImagesForGroups(let className, let images, let groups):
            return "class \(className) has \(images) image(s), fewer than the \(groups) groups asked; lower --groups-per-class for it"
        case .tooFewImagesToHoldOut(let className, let images):
            return "class \(className) has \(images) image(s): holding out a validation share of the training folder needs "
                + "at least 2 of every class (one to validate, one to train); add images, or give a validation folder with --val"
        case .tooFewPatientsToHoldOut(let className, let patients):
            return "class \(className) has images of \(patients) patient(s): holding out whole patients for validation needs "
                + "at least 2 of every class; check --group-pattern or --groups, or give a validation folder with --val"
        case .patientGroups(let error):
            return error.description
        case .tooFewPatientsForFolds(let className, let patients, let folds):
            return "class \(className) has images of \(patients) patient(s) where \(folds)-fold cross-validation needs at least "
                + "\(folds + 1) (one per fold, and validation patients besides); lower --folds or add images"
        case .everyImageSkipped(let path, let skipped):
            return "class folder \(path) has no image left in this split: all \(skipped) were skipped as bad (--skip-bad); "
                + "replace them or remove the folder"
        case .invalidOption(let name, let value, let expected):
            return "\(name) \(value) is invalid: expected \(expected)"
        case .staleClusterFile(let path, let reason):
            return "cluster file \(path) does not match this dataset (\(reason))"
        }
    }
}

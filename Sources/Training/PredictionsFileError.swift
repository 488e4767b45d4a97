/// Why a run's predictions-test.csv cannot be read back against its test images.
public enum PredictionsFileError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, what: String)
    case wrongHeader(path: String, expected: [String], found: [String])
    case unknownImage(path: String, image: String, testFolder: String)
    case malformedRow(path: String, image: String)

    public var description: String {
        switch self {
        case let .unreadable(path, what):
            return "cannot read \(what) \(path); it is written at the end of a run that has a test split (--test)"
        case let .wrongHeader(path, expected, found):
            return "\(path) starts with \(found.joined(separator: ",")), expected \(expected.joined(separator: ",")): "
                + "it was not written for the classes of the test folder; give the test folder the run used"
        case let .unknownImage(path, image, testFolder):
            return "\(path) names an image that is not in the test folder \(testFolder) (\(image)): "
                + "the data changed since the predictions were written; give the test folder the run used, "
                + "or run it again on this one"
        case let .malformedRow(path, image):
            return "\(path): the row of \(image) does not hold a known predicted class and one probability per class; "
                + "the file is damaged: run it again"
        }
    }
}

import Testing
@testable import Evaluation

/// A gallery and queries with scikit-learn's KNeighborsClassifier(metric="cosine") scores and
/// predictions for each k and vote (Scripts/make-retrieval-fixtures).
struct NearestNeighbourCase: Decodable, CustomTestStringConvertible {
    struct Classifier: Decodable {
        let k: Int
        let vote: NearestNeighbourClassifier.Vote
        let scores: [Double]
        let predictions: [Int]
    }

    let width: Int
    let classCount: Int
    let queries: [Float]
    let gallery: [Float]
    let galleryLabels: [Int]
    let classifiers: [Classifier]
    var testDescription: String { "\(classifiers.count) classifiers" }
}

@Suite struct NearestNeighbourClassifierTests {
    @Test(arguments: loadEvidenceCases("knn.json", as: NearestNeighbourCase.self))
    func matchesScikitLearn(_ fixture: NearestNeighbourCase) {
        let neighbours = NearestNeighbours.search(
            queries: fixture.queries, gallery: fixture.gallery, width: fixture.width, k: 10)
        for expected in fixture.classifiers {
            let classifier = NearestNeighbourClassifier(k: expected.k, vote: expected.vote)
            let scores = classifier.scores(neighbours: neighbours, galleryLabels: fixture.galleryLabels, classCount: fixture.classCount)
            #expect(zip(scores, expected.scores).allSatisfy { isClose(Double($0), $1, tolerance: 1e-6) },
                    "k = \(expected.k), \(expected.vote)")
            #expect(classifier.predictions(neighbours: neighbours, galleryLabels: fixture.galleryLabels, classCount: fixture.classCount)
                    == expected.predictions, "k = \(expected.k), \(expected.vote)")
        }
    }

    /// Two neighbours of class 1 against one of class 0 win the majority, but the one of class 0
    /// is similar enough to win the weighted vote.
    @Test func similarityWeightingCanOverturnTheMajority() {
        let neighbours = NearestNeighbours(queryCount: 1, k: 3, indices: [0, 1, 2], similarities: [0.9, 0.3, 0.2])
        let labels = [0, 1, 1]
        #expect(NearestNeighbourClassifier(k: 3, vote: .majority).predictions(neighbours: neighbours, galleryLabels: labels, classCount: 2) == [1])
        #expect(NearestNeighbourClassifier(k: 3, vote: .similarityWeighted).predictions(neighbours: neighbours, galleryLabels: labels, classCount: 2) == [0])
    }
}

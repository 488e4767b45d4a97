import Testing
@testable import Evaluation

@Suite struct RetrievalEvaluationTests {
    /// The 1-NN classifier is right exactly when the nearest neighbour has the query's class,
    /// so without lone queries its accuracy is precision@1 and its per-class sensitivity the
    /// per-class precision@1; a similarity-weighted vote of one neighbour is the same vote.
    @Test(arguments: loadEvidenceCases("retrieval.json", as: RetrievalCase.self).filter { !$0.leaveOneOut })
    func oneNearestNeighbourAccuracyIsPrecisionAt1(_ fixture: RetrievalCase) {
        // Only the classes with gallery images: a query of another class is lone.
        let counted = fixture.queryLabels.indices.filter { fixture.galleryLabels.contains(fixture.queryLabels[$0]) }
        let evaluation = RetrievalEvaluation(
            queries: counted.flatMap { fixture.queries[$0 * fixture.width..<($0 + 1) * fixture.width] },
            queryLabels: counted.map { fixture.queryLabels[$0] },
            gallery: ("gallery", fixture.gallery, fixture.galleryLabels), width: fixture.width,
            classNames: (0..<fixture.classCount).map { "class\($0)" })
        let oneNearest = evaluation.classifiers.filter { $0.k == 1 }
        #expect(oneNearest.count == NearestNeighbourClassifier.Vote.allCases.count)
        for result in oneNearest {
            #expect(isClose(result.accuracy, evaluation.metrics.overall.precisionAt1))
            for (sensitivity, figures) in zip(result.sensitivity, evaluation.metrics.perClass) {
                #expect(sensitivity == figures?.precisionAt1)
            }
        }
        #expect(evaluation.gallery == "gallery")
    }
}

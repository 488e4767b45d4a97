import Foundation
import Testing
import Inference

@Suite struct PredictionTests {
    static let predictions = [
        Prediction(path: "scans/a,1.jpg", probabilities: [0.25, 0.75]),
        Prediction(path: "b.jpg", probabilities: [0.5, 0.5]),
    ]

    @Test func thePredictedClassIsTheMostProbableAndTheFirstOnATie() {
        #expect(Self.predictions.map(\.predictedClass) == [1, 0])
        #expect(Prediction(path: "c", probabilities: [0.2, 0.4, 0.4]).predictedClass == 1)
    }

    @Test func csvHasPathPredictedClassAndOneColumnPerClass() {
        #expect(Prediction.csv(Self.predictions, classNames: ["normal", "pneumonia"]) == """
            path,predicted,normal,pneumonia
            "scans/a,1.jpg",pneumonia,0.25,0.75
            b.jpg,normal,0.5,0.5

            """)
    }

    @Test func jsonIsAnArrayOfPathPredictedAndProbabilitiesByClass() throws {
        let text = try Prediction.json(Self.predictions, classNames: ["normal", "pneumonia"])
        let decoded = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
        #expect(decoded.count == 2)
        #expect(decoded[0]["path"] as? String == "scans/a,1.jpg")
        #expect(decoded[0]["predicted"] as? String == "pneumonia")
        let probabilities = try #require(decoded[0]["probabilities"] as? [String: Double])
        #expect(probabilities == ["normal": 0.25, "pneumonia": 0.75])
    }

    @Test func aNonFiniteProbabilityCannotBeWrittenAsJSON() {
        #expect(throws: EncodingError.self) {
            try Prediction.json([Prediction(path: "x", probabilities: [.nan, .nan])], classNames: ["a", "b"])
        }
    }
}

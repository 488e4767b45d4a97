import Foundation
import Testing
@testable import Evaluation

@Suite struct ConfusionMatrixTests {
    // Rows true, columns predicted: [[2, 1, 0], [0, 1, 1], [1, 1, 2]].
    let matrix = ConfusionMatrix(
        trueClasses: [0, 0, 0, 1, 1, 2, 2, 2, 2], predictedClasses: [0, 0, 1, 1, 2, 2, 2, 0, 1], classCount: 3)

    @Test func rowsAreTrueClassesAndColumnsPredictedClasses() {
        #expect(matrix.rows == [[2, 1, 0], [0, 1, 1], [1, 1, 2]])
        #expect(matrix[2, 0] == 1)
        #expect(matrix.sampleCount == 9)
        #expect(matrix.correctCount == 5)
    }

    @Test func oneVsRestCountsPartitionTheSamples() {
        #expect([0, 1, 2].map(matrix.truePositives(of:)) == [2, 1, 2])
        #expect([0, 1, 2].map(matrix.falseNegatives(of:)) == [1, 1, 2])
        #expect([0, 1, 2].map(matrix.falsePositives(of:)) == [1, 2, 1])
        #expect([0, 1, 2].map(matrix.trueNegatives(of:)) == [5, 5, 4])
        for classIndex in 0..<3 {
            let sum = matrix.truePositives(of: classIndex) + matrix.falseNegatives(of: classIndex)
                + matrix.falsePositives(of: classIndex) + matrix.trueNegatives(of: classIndex)
            #expect(sum == matrix.sampleCount)
        }
    }

    @Test func rowNormalisationDividesByTheRowAndLeavesEmptyRowsUndefined() {
        let sparse = ConfusionMatrix(trueClasses: [0, 0, 0, 0, 2], predictedClasses: [0, 0, 0, 1, 2], classCount: 3)
        let normalized = sparse.rowNormalized()
        #expect(normalized[0] == [0.75, 0.25, 0])
        #expect(normalized[1] == nil)
        #expect(normalized[2] == [0, 0, 1])
    }

    @Test func encodesAsRowsAndRejectsANonSquareArray() throws {
        let data = try JSONEncoder().encode(matrix)
        #expect(String(decoding: data, as: UTF8.self) == "[[2,1,0],[0,1,1],[1,1,2]]")
        #expect(try JSONDecoder().decode(ConfusionMatrix.self, from: data) == matrix)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(ConfusionMatrix.self, from: Data("[[1,2],[3]]".utf8))
        }
    }
}

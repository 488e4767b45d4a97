import Losses
import Testing

@Suite("LossConfiguration")
struct LossConfigurationTests {
    @Test("each --loss name parses to its kind and metric loss",
          arguments: [("ce", nil), ("ce+bst", MetricLossKind.bst), ("ce+triplet", .triplet), ("ce+lifted", .lifted)])
    func namesParse(_ name: String, _ metric: MetricLossKind?) throws {
        let kind = try #require(LossKind(rawValue: name))
        #expect(kind.metric == metric)
        let configuration = try LossConfiguration(kind: kind)
        #expect(try configuration.makeMetricLoss()?.kind == metric)
    }

    @Test("margins default per metric loss: m = 0.9 for BSTriplet, 1 for eq. 1 and lifted")
    func marginsDefaultPerLoss() throws {
        #expect(try LossConfiguration(kind: .crossEntropyPlusBST).margin == 0.9)
        #expect(try LossConfiguration(kind: .crossEntropyPlusTriplet).margin == 1)
        #expect(try LossConfiguration(kind: .crossEntropyPlusLifted).margin == 1)
        #expect(try LossConfiguration(kind: .crossEntropy).margin == nil)
    }

    @Test("the configured margin and square reach the BSTriplet loss")
    func settingsReachTheLoss() throws {
        let loss = try LossConfiguration(kind: .crossEntropyPlusBST, margin: 0.5, square: .plain).makeMetricLoss()
        let bst = try #require(loss as? BatchSimilarityTripletLoss)
        #expect(bst.margin == 0.5 && bst.square == .plain)
    }

    @Test("a BSTriplet margin above 1 and a negative λ are refused")
    func invalidSettingsAreRefused() {
        #expect(throws: LossError.marginOutOfRange(loss: .bst, margin: 1.2)) {
            try LossConfiguration(kind: .crossEntropyPlusBST, margin: 1.2)
        }
        #expect(throws: LossError.invalidLambda(-1)) { try LossConfiguration(lambda: -1) }
    }
}

@Suite struct MetricLossWorkspaceTests {
    /// BSTriplet keeps S and its gradient, (N, N) each, plus the normalised rows and norms.
    @Test func theWorkspaceIsThePairMatricesPlusTheRows() {
        let pairMatrix: UInt64 = 36 * 36 * 4
        let rows: UInt64 = 36 * 577 * 4
        #expect(MetricLossKind.bst.workspaceBytes(count: 36, width: 576) == 2 * pairMatrix + rows)
        #expect(MetricLossKind.lifted.workspaceBytes(count: 36, width: 576) == 5 * pairMatrix + rows)
        #expect(MetricLossKind.bst.workspaceBytes(count: 1 << 40, width: 576) == nil)
    }
}

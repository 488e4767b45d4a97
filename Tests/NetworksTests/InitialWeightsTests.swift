import Engine
import Networks
import Testing

/// `--seed` promises the same initial weights run after run, and across releases: a change to
/// the initializer, fan or drawing order of any tensor shows up here.
@Suite struct InitialWeightsTests {
    /// FNV-1a over the bit patterns of the parameters, then the state, after
    /// `initializeParameters(seed: 1)`, for 1-channel images and 2 classes.
    static func fingerprint(_ kind: NetworkKind) throws -> UInt64 {
        let graph = try makeGraph(kind, inputShape: TensorShape(height: 32, width: 32, channels: 1), classes: 2)
        let executor = Executor(graph: graph, batchCapacity: 1)
        executor.initializeParameters(seed: 1)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for value in Array(executor.parameters) + Array(executor.state) {
            hash = (hash ^ UInt64(value.bitPattern)) &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    @Test(arguments: NetworkKind.allCases)
    func initialWeightsForASeedDoNotChange(_ kind: NetworkKind) throws {
        let expected: [NetworkKind: UInt64] = [
            .mobileNetV3Small: 0x2ab6_2cbb_d36b_5d48,
            .shuffleNetV2: 0xd4aa_94ec_7285_d7ca,
            .efficientNetB1: 0x04e3_1215_4fec_4a22,
            .peleeNet: 0x33b8_4801_5166_ebf5,
            .tiny: 0x303e_89e1_7612_7e4c,
            .resNet18: 0xe22d_d742_318d_f1ef,
        ]
        #expect(try Self.fingerprint(kind) == expected[kind], "\(kind.rawValue)")
    }
}

import Distributed
import Testing

@Suite struct RankPlacementTests {
    @Test func ranksOnOneHostAreOneRange() {
        #expect(rankPlacementSummary(hostNames: ["vm", "vm", "vm", "vm"]) == "4 ranks: vm (0-3)")
        #expect(rankPlacementSummary(hostNames: ["vm"]) == "1 rank: vm (0)")
    }

    @Test func hostsAreListedInOrderOfTheirFirstRankWithTheirRanksAsRuns() {
        #expect(rankPlacementSummary(hostNames: ["node1", "node1", "node2", "node2"]) == "4 ranks: node1 (0-1), node2 (2-3)")
        #expect(rankPlacementSummary(hostNames: ["b", "a", "b", "b", "a"]) == "5 ranks: b (0, 2-3), a (1, 4)")
    }

    @Test func oneProcessGathersItsOwnHostName() throws {
        let communicator = SingleProcessCommunicator()
        #expect(try communicator.gatherHostNames() == [communicator.hostName])
        #expect(try communicator.placementSummary() == "1 rank: \(communicator.hostName) (0)")
    }
}

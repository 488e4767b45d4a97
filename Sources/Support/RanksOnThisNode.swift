import Foundation

/// Ranks of this job on this node, from Open MPI's environment (1 outside mpirun): they share
/// the node's cores and memory.
public var ranksOnThisNode: Int {
    ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap(Int.init).map { max(1, $0) } ?? 1
}

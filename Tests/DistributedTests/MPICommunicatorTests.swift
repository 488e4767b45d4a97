import CMPIBridge
@testable import Distributed
import Testing

@Suite struct MPICommunicatorTests {
    @Test func successIsNotAnError() throws {
        try MPICommunicator.check("MPI_Barrier", bstrain_mpi_success())
    }

    // These tests never call MPI_Init: a failure outside MPI_Init…MPI_Finalize must be reported
    // without MPI_Error_string, which OpenMPI 4 answers by aborting the process.
    @Test func aFailedCallIsAnErrorNamingTheCallAndMPIsCode() {
        let error = #expect(throws: CommunicatorError.self) {
            try MPICommunicator.check("MPI_Allreduce", MPI_ERR_COUNT)
        }
        #expect(error?.description.hasPrefix("MPI_Allreduce failed (MPI error \(MPI_ERR_COUNT)): ") == true)
    }

    @Test func countsBeyondMPIsThirtyTwoBitIntegersAreAnErrorNotATrap() throws {
        #expect(try MPICommunicator.mpiCount(Int(Int32.max), for: "MPI_Allreduce") == Int32.max)
        let error = #expect(throws: CommunicatorError.self) {
            try MPICommunicator.mpiCount(Int(Int32.max) + 1, for: "MPI_Allreduce")
        }
        #expect(error?.description.hasPrefix("MPI_Allreduce cannot take 2147483648 elements") == true)
    }
}

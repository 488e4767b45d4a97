#include "CMPIBridge.h"

MPI_Comm bstrain_mpi_comm_world(void) { return MPI_COMM_WORLD; }
MPI_Comm bstrain_mpi_comm_self(void) { return MPI_COMM_SELF; }
MPI_Datatype bstrain_mpi_float(void) { return MPI_FLOAT; }
MPI_Datatype bstrain_mpi_double(void) { return MPI_DOUBLE; }
MPI_Datatype bstrain_mpi_int32(void) { return MPI_INT32_T; }
MPI_Datatype bstrain_mpi_int64(void) { return MPI_INT64_T; }
MPI_Datatype bstrain_mpi_byte(void) { return MPI_BYTE; }
MPI_Op bstrain_mpi_sum(void) { return MPI_SUM; }
MPI_Op bstrain_mpi_max(void) { return MPI_MAX; }
MPI_Op bstrain_mpi_min(void) { return MPI_MIN; }
void *bstrain_mpi_in_place(void) { return MPI_IN_PLACE; }
MPI_Request bstrain_mpi_request_null(void) { return MPI_REQUEST_NULL; }
MPI_Status *bstrain_mpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
MPI_Errhandler bstrain_mpi_errors_return(void) { return MPI_ERRORS_RETURN; }
int bstrain_mpi_success(void) { return MPI_SUCCESS; }
int bstrain_mpi_thread_funneled(void) { return MPI_THREAD_FUNNELED; }

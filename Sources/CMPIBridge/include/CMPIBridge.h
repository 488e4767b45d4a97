#ifndef CMPIBRIDGE_H
#define CMPIBRIDGE_H

// MPI_COMM_WORLD, the datatypes, the ops and MPI_IN_PLACE are macros that expand to
// addresses of OpenMPI globals; Swift cannot import them, so they are re-exported here
// as functions.
#if !__has_include(<mpi.h>)
#error "OpenMPI headers (mpi.h) not found. Install them with: sudo apt-get install libopenmpi-dev openmpi-bin   (or run Scripts/setup)"
#endif
#include <mpi.h>

MPI_Comm bstrain_mpi_comm_world(void);
MPI_Comm bstrain_mpi_comm_self(void);
MPI_Datatype bstrain_mpi_float(void);
MPI_Datatype bstrain_mpi_double(void);
MPI_Datatype bstrain_mpi_int32(void);
MPI_Datatype bstrain_mpi_int64(void);
MPI_Datatype bstrain_mpi_byte(void);
MPI_Op bstrain_mpi_sum(void);
MPI_Op bstrain_mpi_max(void);
MPI_Op bstrain_mpi_min(void);
void *bstrain_mpi_in_place(void);
MPI_Request bstrain_mpi_request_null(void);
MPI_Status *bstrain_mpi_status_ignore(void);
MPI_Errhandler bstrain_mpi_errors_return(void);
int bstrain_mpi_success(void);
int bstrain_mpi_thread_funneled(void);

#endif

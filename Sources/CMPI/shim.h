#if !__has_include(<mpi.h>)
#error "OpenMPI headers (mpi.h) not found. Install them with: sudo apt-get install libopenmpi-dev openmpi-bin   (or run Scripts/setup)"
#endif
#include <mpi.h>

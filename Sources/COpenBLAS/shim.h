#if !__has_include(<cblas.h>)
#error "OpenBLAS headers (cblas.h) not found. Install them with: sudo apt-get install libopenblas-dev   (or run Scripts/setup)"
#endif
#include <cblas.h>

// Not declared in every cblas.h; OpenBLAS exports them.
char *openblas_get_corename(void);
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);

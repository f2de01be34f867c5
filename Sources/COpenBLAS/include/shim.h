#ifndef PLEURA_COPENBLAS_SHIM_H
#define PLEURA_COPENBLAS_SHIM_H
#include <cblas.h>

// OpenBLAS-specific thread control, declared here so Swift sees it whatever cblas.h exposes.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
#endif

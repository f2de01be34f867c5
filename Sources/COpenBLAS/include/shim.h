#ifndef PLEURA_COPENBLAS_SHIM_H
#define PLEURA_COPENBLAS_SHIM_H

// The part of the CBLAS interface Pleura calls, declared here rather than taken from <cblas.h>:
// OpenBLAS is opened at run time (see lazy.c), and which cblas.h the include path holds depends
// on the machine's BLAS alternatives. The enum values are fixed by the CBLAS standard; indices
// are 32-bit ints, as in Debian's libopenblas0 (the 64-bit-index build is libopenblas64).

enum CBLAS_ORDER { CblasRowMajor = 101, CblasColMajor = 102 };
enum CBLAS_TRANSPOSE { CblasNoTrans = 111, CblasTrans = 112, CblasConjTrans = 113, CblasConjNoTrans = 114 };

void cblas_sgemm(const enum CBLAS_ORDER order, const enum CBLAS_TRANSPOSE transA,
                 const enum CBLAS_TRANSPOSE transB, const int m, const int n, const int k, const float alpha,
                 const float *a, const int lda, const float *b, const int ldb, const float beta, float *c,
                 const int ldc);

// OpenBLAS's thread control.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
#endif

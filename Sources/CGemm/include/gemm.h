#ifndef PLEURA_CGEMM_GEMM_H
#define PLEURA_CGEMM_GEMM_H

// Pleura's own single-precision GEMM for the shapes the ResNet engine's forward passes run:
// row-major, no transposes, alpha 1. See gemm.c for why it exists next to OpenBLAS.

// 1 when this CPU and operating system run the AVX-512 kernel (AVX-512F with the ZMM state
// enabled), else 0; then the caller uses OpenBLAS.
int pleura_sgemm_available(void);

// C (m x n, row stride ldc) = A (m x k, lda) * B (k x n, ldb), plus the old C when `accumulate`
// is non-zero. Only call it when pleura_sgemm_available() is 1. Single-threaded, and the same
// inputs always give the same bits.
void pleura_sgemm(int m, int n, int k, const float *a, int lda, const float *b, int ldb, int accumulate,
                  float *c, int ldc);
#endif

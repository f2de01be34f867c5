#ifndef PLEURA_CGEMM_GEMM_H
#define PLEURA_CGEMM_GEMM_H

// Pleura's own single-precision GEMM for the ResNet engine's convolutions:
// row-major, alpha 1, A as it is or transposed (never B). See gemm.c for why it exists next to OpenBLAS.

// 1 when this CPU and operating system run the AVX-512 kernel (AVX-512F with the ZMM state
// enabled), else 0; then the caller uses OpenBLAS.
int pleura_sgemm_available(void);

// C (m x n, row stride ldc) = A (m x k, lda) * B (k x n, ldb), plus the old C when `accumulate`
// is non-zero. Only call it when pleura_sgemm_available() is 1. Single-threaded, and the same
// inputs always give the same bits.
void pleura_sgemm(int m, int n, int k, const float *a, int lda, const float *b, int ldb, int accumulate,
                  float *c, int ldc);

// C (m x n, ldc) = A^T B (+ the old C when `accumulate`), A being k x m (row stride lda) and B
// k x n (ldb): the kernel gradient col^T dy. The same conditions as pleura_sgemm.
void pleura_sgemm_tn(int m, int n, int k, const float *a, int lda, const float *b, int ldb, int accumulate,
                     float *c, int ldc);
#endif

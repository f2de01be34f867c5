// Pleura's own single-precision GEMM, for the engine's convolutions.
//
// Why it exists next to OpenBLAS: the convolutions' GEMMs are small and thin (a Winograd point is
// 32 x 64 x 64; a chunk of a lowered convolution a few hundred rows), where a BLAS's per-call
// packing and dispatch cost a large share, and OpenBLAS's kernel is chosen per process by
// OPENBLAS_CORETYPE, which some sites (this project's build machines among them) pin to the
// AVX2 Haswell kernels because older OpenBLAS builds fail on newer CPUs. On the engine's shapes
// this kernel runs 1.2-2.8x OpenBLAS's Haswell kernels and about level with its AVX-512 ones
// (BENCHMARKS.md, "Pleura's own AVX-512 GEMM kernel"). It needs AVX-512F; without it the engine
// calls OpenBLAS.
//
// Layout: C = A B (+ C), or A^T B (+ C) for the kernel gradients, all row-major, no packing. B
// is read in place, 32 columns at a time (two 16-float vectors per row, masked at the right
// edge), for blocks of KC rows of B, so that the block of B under a panel (KC x 32 floats, 32 KB)
// stays in L1 while every 8-row tile of A passes over it. A tile keeps its 8 x 32 sums in 16
// registers; each step of the inner loop broadcasts one float of each of its 8 rows of A (8
// consecutive floats when A is read transposed) and does 16 fused multiply-adds. Sums run in the
// same order for the same shapes, so results are deterministic.

#include "gemm.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

enum { KC = 256, ROWS = 8, PANEL = 32 };

int pleura_sgemm_available(void) {
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
  // OSXSAVE: the operating system saves the extended register state, so XGETBV may be read.
  if (!(ecx & bit_OSXSAVE)) return 0;
  unsigned lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  // XMM, YMM, opmask and both halves of the ZMM registers enabled by the operating system.
  if ((lo & 0xE6) != 0xE6) return 0;
  if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
  return (ebx & bit_AVX512F) != 0;
}

// One tile: `rows` (1..8, a constant where it is inlined) rows of C, up to 32 columns (masks m0,
// m1 for the two 16-float halves), over `kc` rows of B. Element (r, p) of A is at
// a[r * aRow + p * aDepth]: (lda, 1) for A, (1, lda) for A transposed.
__attribute__((target("avx512f"), always_inline)) static inline void tile(
    const int rows, int kc, const float *a, int aRow, int aDepth, const float *b, int ldb, int load, float *c,
    int ldc, __mmask16 m0, __mmask16 m1) {
  __m512 s0[ROWS], s1[ROWS];
  for (int r = 0; r < rows; r++) {
    if (load) {
      s0[r] = _mm512_maskz_loadu_ps(m0, c + r * ldc);
      s1[r] = _mm512_maskz_loadu_ps(m1, c + r * ldc + 16);
    } else {
      s0[r] = _mm512_setzero_ps();
      s1[r] = _mm512_setzero_ps();
    }
  }
  for (int p = 0; p < kc; p++) {
    __m512 b0 = _mm512_maskz_loadu_ps(m0, b + p * ldb);
    __m512 b1 = _mm512_maskz_loadu_ps(m1, b + p * ldb + 16);
    const float *ap = a + p * aDepth;
    for (int r = 0; r < rows; r++) {
      __m512 x = _mm512_set1_ps(ap[r * aRow]);
      s0[r] = _mm512_fmadd_ps(x, b0, s0[r]);
      s1[r] = _mm512_fmadd_ps(x, b1, s1[r]);
    }
  }
  for (int r = 0; r < rows; r++) {
    _mm512_mask_storeu_ps(c + r * ldc, m0, s0[r]);
    _mm512_mask_storeu_ps(c + r * ldc + 16, m1, s1[r]);
  }
}

// C = op(A) B (+ C), op(A) = A or A^T (`transposeA`, a constant where it is inlined).
__attribute__((target("avx512f"), always_inline)) static inline void multiply(
    const int transposeA, int m, int n, int k, const float *a, int lda, const float *b, int ldb, int accumulate,
    float *c, int ldc) {
  if (k <= 0) {
    // No terms: C = 0, or C unchanged when accumulating.
    if (!accumulate)
      for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) c[(long)i * ldc + j] = 0;
    return;
  }
  const int aRow = transposeA ? 1 : lda, aDepth = transposeA ? lda : 1;
  for (int k0 = 0; k0 < k; k0 += KC) {
    int kc = k - k0 < KC ? k - k0 : KC;
    int load = accumulate || k0 > 0;
    for (int j0 = 0; j0 < n; j0 += PANEL) {
      int width = n - j0 < PANEL ? n - j0 : PANEL;
      __mmask16 m0 = width >= 16 ? 0xFFFF : (__mmask16)((1u << width) - 1);
      __mmask16 m1 = width >= 32 ? 0xFFFF : width <= 16 ? 0 : (__mmask16)((1u << (width - 16)) - 1);
      const float *bp = b + (long)k0 * ldb + j0;
      for (int i0 = 0; i0 < m; i0 += ROWS) {
        const float *ap = a + (long)i0 * aRow + (long)k0 * aDepth;
        float *cp = c + (long)i0 * ldc + j0;
        switch (m - i0 < ROWS ? m - i0 : ROWS) {
        case 8: tile(8, kc, ap, aRow, aDepth, bp, ldb, load, cp, ldc, m0, m1); break;
        case 7: tile(7, kc, ap, aRow, aDepth, bp, ldb, load, cp, ldc, m0, m1); break;
        case 6: tile(6, kc, ap, aRow, aDepth, bp, ldb, load, cp, ldc, m0, m1); break;
        case 5: tile(5, kc, ap, aRow, aDepth, bp, ldb, load, cp, ldc, m0, m1); break;
        case 4: tile(4, kc, ap, aRow, aDepth, bp, ldb, load, cp, ldc, m0, m1); break;
        case 3: tile(3, kc, ap, aRow, aDepth, bp, ldb, load, cp, ldc, m0, m1); break;
        case 2: tile(2, kc, ap, aRow, aDepth, bp, ldb, load, cp, ldc, m0, m1); break;
        default: tile(1, kc, ap, aRow, aDepth, bp, ldb, load, cp, ldc, m0, m1); break;
        }
      }
    }
  }
}

__attribute__((target("avx512f"))) void pleura_sgemm(int m, int n, int k, const float *a, int lda,
                                                    const float *b, int ldb, int accumulate, float *c,
                                                    int ldc) {
  multiply(0, m, n, k, a, lda, b, ldb, accumulate, c, ldc);
}

__attribute__((target("avx512f"))) void pleura_sgemm_tn(int m, int n, int k, const float *a, int lda,
                                                       const float *b, int ldb, int accumulate, float *c,
                                                       int ldc) {
  multiply(1, m, n, k, a, lda, b, ldb, accumulate, c, ldc);
}

#else
// Other processors (arm64) have no AVX-512: the engine calls OpenBLAS for every GEMM.
#include <stdlib.h>

int pleura_sgemm_available(void) { return 0; }

void pleura_sgemm(int m, int n, int k, const float *a, int lda, const float *b, int ldb, int accumulate,
                  float *c, int ldc) {
  (void)m, (void)n, (void)k, (void)a, (void)lda, (void)b, (void)ldb, (void)accumulate, (void)c, (void)ldc;
  abort();  // pleura_sgemm_available() said 0: the caller must not get here.
}

void pleura_sgemm_tn(int m, int n, int k, const float *a, int lda, const float *b, int ldb, int accumulate,
                     float *c, int ldc) {
  (void)m, (void)n, (void)k, (void)a, (void)lda, (void)b, (void)ldb, (void)accumulate, (void)c, (void)ldc;
  abort();  // pleura_sgemm_available() said 0: the caller must not get here.
}
#endif

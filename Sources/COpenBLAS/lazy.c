// OpenBLAS, loaded on first use.
//
// Linked, OpenBLAS starts its thread pool when the process loads, and those threads spin for
// about 100 ms waiting for work: a core taken from every `pleura` command, though only the
// ResNet engine calls BLAS, and it asks for one BLAS thread (it runs its own workers). Loaded
// here on the first call, with OPENBLAS_NUM_THREADS=1 unless the user set it, no pool starts.
// The forwarders below are the only OpenBLAS functions Pleura calls; a new one is a link error.

#include <stdatomic.h>
#include <stdlib.h>

#include "lazy_library.h"
#include "shim.h"

// OpenBLAS reads its thread count when it is loaded: one thread unless the user chose.
static void one_thread(void) { setenv("OPENBLAS_NUM_THREADS", "1", 0); }

static struct pleura_lazy_library openblas = {
  "libopenblas.so.0", "install libopenblas0 (see README)", one_thread, NULL};

void cblas_sgemm(const enum CBLAS_ORDER order, const enum CBLAS_TRANSPOSE transA,
                 const enum CBLAS_TRANSPOSE transB, const int m, const int n, const int k,
                 const float alpha, const float *a, const int lda, const float *b, const int ldb,
                 const float beta, float *c, const int ldc) {
  PLEURA_LAZY_RESOLVE(&openblas, cblas_sgemm)
  function(order, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void openblas_set_num_threads(int num_threads) {
  PLEURA_LAZY_RESOLVE(&openblas, openblas_set_num_threads)
  function(num_threads);
}

int openblas_get_num_threads(void) {
  PLEURA_LAZY_RESOLVE(&openblas, openblas_get_num_threads)
  return function();
}

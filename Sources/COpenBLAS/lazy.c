// OpenBLAS, loaded on first use.
//
// Linked, OpenBLAS starts its thread pool when the process loads, and those threads spin for
// about 100 ms waiting for work: a core taken from every `pleura` command, though only the
// ResNet engine calls BLAS, and it asks for one BLAS thread (it runs its own workers). Loaded
// here on the first call, with OPENBLAS_NUM_THREADS=1 unless the user set it, no pool starts.
// The forwarders below are the only OpenBLAS functions Pleura calls; a new one is a link error.

#include <dlfcn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "shim.h"

static void *pleura_openblas_symbol(const char *name) {
  static void *_Atomic library;
  void *handle = atomic_load_explicit(&library, memory_order_acquire);
  if (handle == NULL) {
    setenv("OPENBLAS_NUM_THREADS", "1", 0);
    handle = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
      fprintf(stderr, "pleura: cannot load libopenblas.so.0 (%s); install libopenblas0 (see README)\n", dlerror());
      exit(70);
    }
    atomic_store_explicit(&library, handle, memory_order_release);
  }
  void *symbol = dlsym(handle, name);
  if (symbol == NULL) {
    fprintf(stderr, "pleura: libopenblas.so.0 has no %s\n", name);
    exit(70);
  }
  return symbol;
}

#define PLEURA_RESOLVE(name)                                                         \
  static __typeof__(name) *_Atomic real;                                             \
  __typeof__(name) *function = atomic_load_explicit(&real, memory_order_acquire);    \
  if (function == NULL) {                                                            \
    function = (__typeof__(name) *)pleura_openblas_symbol(#name);                    \
    atomic_store_explicit(&real, function, memory_order_release);                    \
  }

void cblas_sgemm(const enum CBLAS_ORDER order, const enum CBLAS_TRANSPOSE transA,
                 const enum CBLAS_TRANSPOSE transB, const int m, const int n, const int k,
                 const float alpha, const float *a, const int lda, const float *b, const int ldb,
                 const float beta, float *c, const int ldc) {
  PLEURA_RESOLVE(cblas_sgemm)
  function(order, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void openblas_set_num_threads(int num_threads) {
  PLEURA_RESOLVE(openblas_set_num_threads)
  function(num_threads);
}

int openblas_get_num_threads(void) {
  PLEURA_RESOLVE(openblas_get_num_threads)
  return function();
}

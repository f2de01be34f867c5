#ifndef PLEURA_LAZY_LIBRARY_H
#define PLEURA_LAZY_LIBRARY_H

// A shared library opened on the first call of one of its functions (see CFFmpeg/lazy.c and
// COpenBLAS/lazy.c). Linking such libraries makes every process load them at start-up.
struct pleura_lazy_library {
  const char *soname;
  const char *install_hint;
  // Called once before the library is opened, or NULL (OpenBLAS reads settings when loaded).
  void (*before_open)(void);
  void *_Atomic handle;
};

// The address of `name` in `library`, opening it first if needed (dlopen is thread-safe and
// returns the same handle for a library already loaded). A missing library or symbol ends the
// process with one message naming it: nothing can run without the function.
void *pleura_lazy_symbol(struct pleura_lazy_library *library, const char *name);

// Defines `name` with the header's parameters as a forwarder to the library's function.
#define PLEURA_LAZY_RESOLVE(library, name)                                            \
  static __typeof__(name) *_Atomic real;                                              \
  __typeof__(name) *function = atomic_load_explicit(&real, memory_order_acquire);     \
  if (function == NULL) {                                                             \
    function = (__typeof__(name) *)pleura_lazy_symbol(library, #name);                \
    atomic_store_explicit(&real, function, memory_order_release);                     \
  }
#endif

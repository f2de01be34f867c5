#include <dlfcn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "lazy_library.h"

void *pleura_lazy_symbol(struct pleura_lazy_library *library, const char *name) {
  void *handle = atomic_load_explicit(&library->handle, memory_order_acquire);
  if (handle == NULL) {
    if (library->before_open != NULL) library->before_open();
    handle = dlopen(library->soname, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
      fprintf(stderr, "pleura: cannot load %s (%s); %s\n", library->soname, dlerror(), library->install_hint);
      exit(70);
    }
    atomic_store_explicit(&library->handle, handle, memory_order_release);
  }
  void *symbol = dlsym(handle, name);
  if (symbol == NULL) {
    fprintf(stderr, "pleura: %s has no %s; it does not match the headers Pleura was built with\n",
            library->soname, name);
    exit(70);
  }
  return symbol;
}

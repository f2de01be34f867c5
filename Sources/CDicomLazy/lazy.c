// DCMTK, loaded on first use.
//
// Pleura's DICOM code (Sources/CDicom, C++ on DCMTK) is built as its own shared library,
// libPleuraDicom, next to the `pleura` binary. Linking it would make every process load DCMTK
// and the 17 libraries it needs (JPEG, JPEG-LS, TIFF, PNG, ...) and run their static
// initialisers before main: `pleura --version` took 36 ms instead of 15 (best of 30, debug). Each
// function of pleura_dicom.h is defined here instead as a forwarder that opens the library on
// the first call (see CFFmpeg/lazy.c and CLazyLibrary), from the folder of the running
// executable first, then from the usual library path.

#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifdef __APPLE__
#include <mach-o/dyld.h>
#define PLEURA_DICOM_LIBRARY "libPleuraDicom.dylib"
#else
#define PLEURA_DICOM_LIBRARY "libPleuraDicom.so"
#endif

#include "lazy_library.h"
#include "../CDicom/include/pleura_dicom.h"

static char library_path[PATH_MAX + sizeof PLEURA_DICOM_LIBRARY];
static void locate_library(void);

static struct pleura_lazy_library dicom_library = {
    PLEURA_DICOM_LIBRARY, "keep " PLEURA_DICOM_LIBRARY " next to the pleura binary (swift build makes both)",
    locate_library, NULL};

// Points `dicom_library.soname` at the library beside the executable when it is there.
static void locate_library(void) {
  char executable[PATH_MAX];
#ifdef __APPLE__
  uint32_t size = sizeof executable;
  if (_NSGetExecutablePath(executable, &size) != 0) return;
#else
  ssize_t length = readlink("/proc/self/exe", executable, sizeof executable - 1);
  if (length <= 0) return;
  executable[length] = 0;
#endif
  char *slash = strrchr(executable, '/');
  if (slash == NULL) return;
  *slash = 0;
  snprintf(library_path, sizeof library_path, "%s/%s", executable, PLEURA_DICOM_LIBRARY);
  if (access(library_path, R_OK) == 0) dicom_library.soname = library_path;
}

#define PLEURA_LAZY(ret, name, params, args) \
  ret name params {                          \
    PLEURA_LAZY_RESOLVE(&dicom_library, name) \
    return function args;                    \
  }
#define PLEURA_LAZY_VOID(name, params, args) \
  void name params {                         \
    PLEURA_LAZY_RESOLVE(&dicom_library, name) \
    function args;                           \
  }

PLEURA_LAZY(pleura_dicom *, pleura_dicom_open, (const char *path, char *error, size_t error_size), (path, error, error_size))
PLEURA_LAZY_VOID(pleura_dicom_close, (pleura_dicom *dicom), (dicom))
PLEURA_LAZY(const char *, pleura_dicom_transfer_syntax_uid, (pleura_dicom *dicom), (dicom))
PLEURA_LAZY(const char *, pleura_dicom_transfer_syntax_name, (pleura_dicom *dicom), (dicom))
PLEURA_LAZY(int, pleura_dicom_transfer_syntax_decodable, (pleura_dicom *dicom), (dicom))
PLEURA_LAZY(long, pleura_dicom_string, (pleura_dicom *dicom, uint16_t group, uint16_t element, char *out, size_t size), (dicom, group, element, out, size))
PLEURA_LAZY(long, pleura_dicom_item_string, (pleura_dicom *dicom, uint16_t sequence_group, uint16_t sequence_element, unsigned long item, uint16_t group, uint16_t element, char *out, size_t size), (dicom, sequence_group, sequence_element, item, group, element, out, size))
PLEURA_LAZY(unsigned long, pleura_dicom_item_count, (pleura_dicom *dicom, uint16_t sequence_group, uint16_t sequence_element), (dicom, sequence_group, sequence_element))
PLEURA_LAZY(int, pleura_dicom_integer, (pleura_dicom *dicom, uint16_t group, uint16_t element, long *value), (dicom, group, element, value))
PLEURA_LAZY(long, pleura_dicom_pixel_data_extent, (pleura_dicom *dicom, int *encapsulated), (dicom, encapsulated))
PLEURA_LAZY(int, pleura_dicom_frames_begin, (pleura_dicom *dicom, int *width, int *height, long *frames, int *samples, char *error, size_t error_size), (dicom, width, height, frames, samples, error, error_size))
PLEURA_LAZY(int, pleura_dicom_frame, (pleura_dicom *dicom, long index, uint8_t *out, size_t size, char *error, size_t error_size), (dicom, index, out, size, error, error_size))
PLEURA_LAZY_VOID(pleura_dicom_rgb_to_luma, (const uint8_t *rgb, uint8_t *luma, size_t pixels), (rgb, luma, pixels))
PLEURA_LAZY(int, pleura_dicom_rewrite, (pleura_dicom *dicom, pleura_dicom_visitor visitor, void *context, char *error, size_t error_size), (dicom, visitor, context, error, error_size))
PLEURA_LAZY(int, pleura_dicom_put, (pleura_dicom *dicom, uint16_t group, uint16_t element, const char *value, char *error, size_t error_size), (dicom, group, element, value, error, error_size))
PLEURA_LAZY_VOID(pleura_dicom_remove, (pleura_dicom *dicom, uint16_t group, uint16_t element), (dicom, group, element))
PLEURA_LAZY(int, pleura_dicom_append_code, (pleura_dicom *dicom, uint16_t sequence_group, uint16_t sequence_element, const char *value, const char *scheme, const char *meaning, char *error, size_t error_size), (dicom, sequence_group, sequence_element, value, scheme, meaning, error, error_size))
PLEURA_LAZY(pleura_dicom_writer *, pleura_dicom_writer_begin, (pleura_dicom *dicom, const char *path, int width, int height, int samples, long frames, char *error, size_t error_size), (dicom, path, width, height, samples, frames, error, error_size))
PLEURA_LAZY(int, pleura_dicom_writer_add, (pleura_dicom_writer *writer, const uint8_t *pixels, char *error, size_t error_size), (writer, pixels, error, error_size))
PLEURA_LAZY(int, pleura_dicom_writer_finish, (pleura_dicom_writer *writer, char *error, size_t error_size), (writer, error, error_size))
PLEURA_LAZY_VOID(pleura_dicom_writer_abandon, (pleura_dicom_writer *writer), (writer))
PLEURA_LAZY(size_t, pleura_dicom_packbits, (const uint8_t *in, size_t count, size_t stride, uint8_t *out), (in, count, stride, out))
PLEURA_LAZY(int, pleura_dicomdir_files, (const char *path, pleura_dicom_file_visitor visitor, void *context, char *error, size_t error_size), (path, visitor, context, error, error_size))

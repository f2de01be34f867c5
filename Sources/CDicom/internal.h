// Shared by the files of this target; not part of the C interface.
#ifndef PLEURA_DICOM_INTERNAL_H
#define PLEURA_DICOM_INTERNAL_H

#include <memory>
#include <string>

#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dctk.h"
#include "dcmtk/dcmimgle/dcmimage.h"

#include "pleura_dicom.h"

struct pleura_dicom {
  DcmFileFormat file;
  E_TransferSyntax xfer = EXS_Unknown;
  // Frame decoding state (pleura_dicom_frames_begin).
  std::unique_ptr<DicomImage> image;
  long frames = 0;
  long loaded = -1;  // the frame `image` currently holds
  int width = 0, height = 0, samples = 0;
};

namespace pleura {
// Copies `message` into `error` (truncated, NUL-terminated); returns -1 for `return fail(...)`.
int fail(char *error, size_t size, const std::string &message);
// Registers DCMTK's decoders and silences its logger, once per process.
void setup();
}  // namespace pleura

// Runs `body`; a C++ exception becomes a failure with its message instead of crossing into C.
#define PLEURA_GUARD(error, size, body)                                  \
  try {                                                                  \
    body                                                                 \
  } catch (const std::bad_alloc &) {                                     \
    return pleura::fail(error, size, "out of memory");                   \
  } catch (const std::exception &exception) {                            \
    return pleura::fail(error, size, exception.what());                  \
  } catch (...) {                                                        \
    return pleura::fail(error, size, "unexpected failure inside DCMTK"); \
  }

#endif

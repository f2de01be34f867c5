// Frame-by-frame decoding through DicomImage with partial access: DCMTK reads (and decompresses)
// one frame's pixel data at a time, so memory stays flat however long the clip is.

#include <cstring>

#include "dcmtk/dcmdata/dcpxitem.h"
#include "internal.h"

static const unsigned long imageFlags = CIF_UsePartialAccessToPixelData;

static int imageFailure(pleura_dicom *dicom, long frame, char *error, size_t size) {
  std::string reason = "DCMTK cannot decode it";
  if (dicom->image && dicom->image->getStatus() != EIS_Normal) {
    reason = DicomImage::getString(dicom->image->getStatus());
  }
  dicom->image.reset();
  dicom->loaded = -1;
  if (frame < 0) return pleura::fail(error, size, "the image cannot be decoded: " + reason);
  return pleura::fail(error, size, "frame " + std::to_string(frame) + " cannot be decoded: " + reason);
}

// DCMTK 3.6.7 reads past an RLE fragment whose header names segments beyond its end when it
// decodes one frame (found by scripts/fuzz-dicom.sh; decompressing the whole pixel data checks
// it, the frame-by-frame path does not). Each frame is one fragment (PS3.5 G.2), so its header is
// checked here first: 1 to 15 segments, the first at byte 64, in order, inside the fragment.
static bool rleFrameIsSound(pleura_dicom *dicom, long index, std::string &reason) {
  if (dicom->xfer != EXS_RLELossless) return true;
  DcmElement *element = nullptr;
  DcmPixelSequence *sequence = nullptr;
  if (dicom->file.getDataset()->findAndGetElement(DCM_PixelData, element).bad() || element == nullptr ||
      OFstatic_cast(DcmPixelData *, element)->getEncapsulatedRepresentation(dicom->xfer, nullptr, sequence).bad() ||
      sequence == nullptr) {
    reason = "the RLE pixel data has no fragments";
    return false;
  }
  DcmPixelItem *fragment = nullptr;
  if ((unsigned long)index + 1 >= sequence->card() || sequence->getItem(fragment, (Uint32)index + 1).bad() ||
      fragment == nullptr) {
    reason = "its RLE fragment is missing";
    return false;
  }
  Uint32 length = fragment->getLength();
  Uint8 header[64];
  if (length < sizeof header || fragment->getPartialValue(header, 0, sizeof header).bad()) {
    reason = "its RLE fragment is shorter than the RLE header";
    return false;
  }
  auto word = [&](int i) {
    return (Uint32)header[4 * i] | (Uint32)header[4 * i + 1] << 8 | (Uint32)header[4 * i + 2] << 16 |
           (Uint32)header[4 * i + 3] << 24;
  };
  Uint32 segments = word(0);
  bool sound = segments >= 1 && segments <= 15 && word(1) == 64;
  for (Uint32 i = 1; sound && i <= segments; i++) {
    sound = word(i) < length && (i == 1 || word(i) > word(i - 1));
  }
  if (!sound) reason = "its RLE header names segments outside the fragment";
  return sound;
}

// (Re)creates the image holding frame `index` alone.
static int load(pleura_dicom *dicom, long index, char *error, size_t size) {
  dicom->image.reset(new DicomImage(&dicom->file, dicom->xfer, imageFlags, (unsigned long)index, 1));
  if (dicom->image->getStatus() != EIS_Normal) return imageFailure(dicom, index, error, size);
  dicom->image->hideAllOverlays();
  dicom->loaded = index;
  return 0;
}

int pleura_dicom_frames_begin(pleura_dicom *dicom, int *width, int *height, long *frames, int *samples,
                              char *error, size_t error_size) {
  PLEURA_GUARD(error, error_size, {
    std::string reason;
    if (!rleFrameIsSound(dicom, 0, reason)) return pleura::fail(error, error_size, "frame 0 cannot be decoded: " + reason);
    if (load(dicom, 0, error, error_size) != 0) return -1;
    DicomImage &image = *dicom->image;
    dicom->width = (int)image.getWidth();
    dicom->height = (int)image.getHeight();
    dicom->frames = (long)image.getNumberOfFrames();
    dicom->samples = image.isMonochrome() ? 1 : 3;
    if (dicom->width <= 0 || dicom->height <= 0 || dicom->frames <= 0) {
      return pleura::fail(error, error_size, "the image has no pixels");
    }
    *width = dicom->width;
    *height = dicom->height;
    *frames = dicom->frames;
    *samples = dicom->samples;
    return 0;
  })
}

int pleura_dicom_frame(pleura_dicom *dicom, long index, uint8_t *out, size_t size, char *error,
                       size_t error_size) {
  PLEURA_GUARD(error, error_size, {
    if (dicom->samples == 0) return pleura::fail(error, error_size, "frames were not set up");
    if (index < 0 || index >= dicom->frames) {
      return pleura::fail(error, error_size, "frame " + std::to_string(index) + " does not exist");
    }
    std::string reason;
    if (!rleFrameIsSound(dicom, index, reason)) {
      dicom->image.reset();
      dicom->loaded = -1;
      return pleura::fail(error, error_size, "frame " + std::to_string(index) + " cannot be decoded: " + reason);
    }
    size_t needed = (size_t)dicom->width * (size_t)dicom->height * (size_t)dicom->samples;
    if (size < needed) return pleura::fail(error, error_size, "the frame buffer is too small");
    if (dicom->image && index == dicom->loaded + 1) {
      if (!dicom->image->processNextFrames(1)) return imageFailure(dicom, index, error, error_size);
      dicom->loaded = index;
    } else if (!dicom->image || index != dicom->loaded) {
      if (load(dicom, index, error, error_size) != 0) return -1;
    }
    DicomImage &image = *dicom->image;
    if ((int)image.getWidth() != dicom->width || (int)image.getHeight() != dicom->height ||
        image.getOutputDataSize(8) != needed) {
      return pleura::fail(error, error_size, "frame " + std::to_string(index) + " changes the image size");
    }
    if (!image.getOutputData(out, needed, 8, 0, 0)) return imageFailure(dicom, index, error, error_size);
    return 0;
  })
}

void pleura_dicom_rgb_to_luma(const uint8_t *rgb, uint8_t *luma, size_t pixels) {
  for (size_t i = 0; i < pixels; i++, rgb += 3) {
    luma[i] = (uint8_t)((77u * rgb[0] + 150u * rgb[1] + 29u * rgb[2] + 128u) >> 8);
  }
}

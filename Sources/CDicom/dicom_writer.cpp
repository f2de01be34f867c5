// Writes a DICOM file whose pixel data is appended frame by frame as RLE Lossless fragments
// (PS3.5 Annex G), so that rewriting a long clip never holds more than one frame.

#include <unistd.h>

#include <cstdio>
#include <vector>

#include "internal.h"

struct pleura_dicom_writer {
  FILE *file = nullptr;
  long frames = 0, written = 0;
  int width = 0, height = 0, samples = 0;
  long offsetTable = 0;             // file position of the first Basic Offset Table entry
  unsigned long long fragments = 0;  // bytes of fragment items written so far
  std::vector<uint32_t> offsets;
  std::vector<uint8_t> encoded;

  ~pleura_dicom_writer() {
    if (file != nullptr) fclose(file);
  }
};

static void put16(std::vector<uint8_t> &out, unsigned value) {
  out.push_back(value & 0xff);
  out.push_back((value >> 8) & 0xff);
}

static void put32(std::vector<uint8_t> &out, uint32_t value) {
  for (int i = 0; i < 4; i++) out.push_back((value >> (8 * i)) & 0xff);
}

static void putItemTag(std::vector<uint8_t> &out, unsigned element, uint32_t length) {
  put16(out, 0xfffe);
  put16(out, element);
  put32(out, length);
}

static bool writeAll(FILE *file, const std::vector<uint8_t> &bytes) {
  return bytes.empty() || fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size();
}

size_t pleura_dicom_packbits(const uint8_t *in, size_t count, size_t stride, uint8_t *out) {
  size_t written = 0, i = 0;
  while (i < count) {
    uint8_t value = in[i * stride];
    size_t run = 1;
    while (i + run < count && run < 128 && in[(i + run) * stride] == value) run++;
    if (run >= 2) {  // replicate run: -(run - 1), then the byte
      out[written++] = (uint8_t)(257 - run);
      out[written++] = value;
      i += run;
      continue;
    }
    // Literal run up to the next three equal bytes (at most 128 bytes): n - 1, then the bytes.
    // Breaking only for runs of three or more keeps the output within count + count / 128 + 1
    // bytes: a literal that ends early is followed by a run that saves at least its header.
    size_t end = i + 1;
    while (end < count && end - i < 128 &&
           !(end + 2 < count && in[end * stride] == in[(end + 1) * stride] &&
             in[end * stride] == in[(end + 2) * stride]))
      end++;
    out[written++] = (uint8_t)(end - i - 1);
    for (size_t k = i; k < end; k++) out[written++] = in[k * stride];
    i = end;
  }
  return written;
}

pleura_dicom_writer *pleura_dicom_writer_begin(pleura_dicom *dicom, const char *path, int width, int height,
                                               int samples, long frames, char *error, size_t error_size) {
  try {
    if (width <= 0 || height <= 0 || frames <= 0 || (samples != 1 && samples != 3)) {
      pleura::fail(error, error_size, "invalid frame layout for writing");
      return nullptr;
    }
    DcmDataset *dataset = dicom->file.getDataset();
    // Pixel data and anything after it (float pixel data, offset tables, padding, signatures) go;
    // the new pixel data is appended as the last element.
    for (long i = (long)dataset->card() - 1; i >= 0; i--) {
      if (dataset->getElement((unsigned long)i)->getTag().getGroup() >= 0x7fe0) {
        delete dataset->remove((unsigned long)i);
      }
    }
    dicom->image.reset();
    dicom->loaded = -1;
    OFCondition status = dicom->file.saveFile(path, EXS_RLELossless, EET_ExplicitLength, EGL_withoutGL,
                                              EPD_noChange, 0, 0, EWM_createNewMeta);
    if (status.bad()) {
      pleura::fail(error, error_size, std::string("cannot write the DICOM header: ") + status.text());
      return nullptr;
    }
    std::unique_ptr<pleura_dicom_writer> writer(new pleura_dicom_writer());
    writer->file = fopen(path, "r+b");
    if (writer->file == nullptr || fseek(writer->file, 0, SEEK_END) != 0) {
      pleura::fail(error, error_size, "cannot reopen the file being written");
      return nullptr;
    }
    writer->frames = frames;
    writer->width = width;
    writer->height = height;
    writer->samples = samples;
    std::vector<uint8_t> head;
    put16(head, 0x7fe0);
    put16(head, 0x0010);
    head.push_back('O');
    head.push_back('B');
    put16(head, 0);
    put32(head, 0xffffffff);
    putItemTag(head, 0xe000, (uint32_t)(4 * frames));
    writer->offsetTable = ftell(writer->file) + (long)head.size();
    head.resize(head.size() + 4 * (size_t)frames, 0);
    if (!writeAll(writer->file, head)) {
      pleura::fail(error, error_size, "cannot write the pixel data header");
      return nullptr;
    }
    return writer.release();
  } catch (...) {
    pleura::fail(error, error_size, "DCMTK failed while writing the header");
    return nullptr;
  }
}

int pleura_dicom_writer_add(pleura_dicom_writer *writer, const uint8_t *pixels, char *error,
                            size_t error_size) {
  PLEURA_GUARD(error, error_size, {
    if (writer->written >= writer->frames) return pleura::fail(error, error_size, "more frames than declared");
    size_t width = (size_t)writer->width;
    size_t rowStride = width * (size_t)writer->samples;
    std::vector<uint8_t> &out = writer->encoded;
    // Header (16 32-bit words: segment count, then segment offsets), then one segment per sample.
    out.assign(64, 0);
    out[0] = (uint8_t)writer->samples;
    std::vector<uint8_t> row(width + width / 128 + 2);  // the bound pleura_dicom_packbits keeps
    for (int sample = 0; sample < writer->samples; sample++) {
      uint32_t offset = (uint32_t)out.size();
      for (int i = 0; i < 4; i++) out[4 + 4 * sample + i] = (offset >> (8 * i)) & 0xff;
      for (int y = 0; y < writer->height; y++) {  // rows are encoded separately (G.3.1)
        size_t n = pleura_dicom_packbits(pixels + (size_t)y * rowStride + sample, width,
                                         (size_t)writer->samples, row.data());
        out.insert(out.end(), row.begin(), row.begin() + (long)n);
      }
      if (out.size() % 2 != 0) out.push_back(0);
    }
    if (writer->fragments > 0xffffffffULL) {
      return pleura::fail(error, error_size, "the clip is too large for one DICOM file");
    }
    writer->offsets.push_back((uint32_t)writer->fragments);
    std::vector<uint8_t> item;
    putItemTag(item, 0xe000, (uint32_t)out.size());
    if (!writeAll(writer->file, item) || !writeAll(writer->file, out)) {
      return pleura::fail(error, error_size, "cannot write frame " + std::to_string(writer->written));
    }
    writer->fragments += item.size() + out.size();
    writer->written++;
    return 0;
  })
}

int pleura_dicom_writer_finish(pleura_dicom_writer *writer, char *error, size_t error_size) {
  std::unique_ptr<pleura_dicom_writer> owned(writer);
  PLEURA_GUARD(error, error_size, {
    if (writer->written != writer->frames) {
      return pleura::fail(error, error_size,
                          "only " + std::to_string(writer->written) + " of " + std::to_string(writer->frames) +
                              " frames were written");
    }
    std::vector<uint8_t> tail;
    putItemTag(tail, 0xe0dd, 0);
    std::vector<uint8_t> table;
    for (uint32_t offset : writer->offsets) put32(table, offset);
    bool ok = writeAll(writer->file, tail) && fseek(writer->file, writer->offsetTable, SEEK_SET) == 0 &&
              writeAll(writer->file, table) && fflush(writer->file) == 0 && fsync(fileno(writer->file)) == 0;
    int closed = fclose(writer->file);
    writer->file = nullptr;
    if (!ok || closed != 0) return pleura::fail(error, error_size, "cannot finish writing the file");
    return 0;
  })
}

void pleura_dicom_writer_abandon(pleura_dicom_writer *writer) { delete writer; }

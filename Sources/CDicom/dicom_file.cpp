// Opening a DICOM file and reading its attributes.

#include <cstdio>
#include <cstring>
#include <mutex>
#include <vector>

#include <zlib.h>

#include "dcmtk/dcmdata/dccodec.h"
#include "dcmtk/dcmdata/dcrledrg.h"
#include "dcmtk/dcmimage/diregist.h"  // colour images in DicomImage
#include "dcmtk/dcmjpeg/djdecode.h"
#include "dcmtk/dcmjpls/djdecode.h"
#include "dcmtk/oflog/oflog.h"
#include "internal.h"

// Values longer than this stay in the file until read: pixel data is never loaded whole.
static const Uint32 lazyValueLength = 4096;

int pleura::fail(char *error, size_t size, const std::string &message) {
  if (error != nullptr && size > 0) {
    snprintf(error, size, "%s", message.c_str());
  }
  return -1;
}

void pleura::setup() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Pleura reports every failure itself, in one line naming the file.
    OFLog::configure(OFLogger::OFF_LOG_LEVEL);
    DJDecoderRegistration::registerCodecs();
    DJLSDecoderRegistration::registerCodecs();
    DcmRLEDecoderRegistration::registerCodecs();
  });
}

// A deflated dataset is inflated whole into memory by DCMTK (a stream cannot be read lazily), so
// a few kilobytes could ask for gigabytes. The meta header is read first; a deflated file is
// inflated once without keeping the output, and refused past this size.
static const unsigned long long maximumInflatedBytes = 1ULL << 30;

static bool inflatesWithinLimit(const char *path, DcmFileFormat &meta, std::string &reason) {
  DcmMetaInfo *info = meta.getMetaInfo();
  Uint32 groupLength = 0;
  if (info->findAndGetUint32(DCM_FileMetaInformationGroupLength, groupLength).bad()) {
    reason = "the deflated file has no meta group length";
    return false;
  }
  FILE *file = fopen(path, "rb");
  if (file == nullptr) {
    reason = "cannot be read";
    return false;
  }
  // Preamble (128) + "DICM" (4) + the group length element (12) + the rest of the meta group.
  if (fseek(file, 144L + (long)groupLength, SEEK_SET) != 0) {
    fclose(file);
    reason = "the meta header is longer than the file";
    return false;
  }
  z_stream stream{};
  if (inflateInit2(&stream, -MAX_WBITS) != Z_OK) {
    fclose(file);
    reason = "cannot start inflating";
    return false;
  }
  std::vector<unsigned char> in(1 << 16), out(1 << 16);
  unsigned long long total = 0;
  int status = Z_OK;
  while (status != Z_STREAM_END) {
    stream.avail_in = (uInt)fread(in.data(), 1, in.size(), file);
    if (stream.avail_in == 0) break;
    stream.next_in = in.data();
    do {
      stream.next_out = out.data();
      stream.avail_out = (uInt)out.size();
      status = inflate(&stream, Z_NO_FLUSH);
      if (status != Z_OK && status != Z_STREAM_END && status != Z_BUF_ERROR) break;
      total += out.size() - stream.avail_out;
    } while (stream.avail_out == 0 && total <= maximumInflatedBytes && status != Z_STREAM_END);
    if ((status != Z_OK && status != Z_STREAM_END && status != Z_BUF_ERROR) || total > maximumInflatedBytes) break;
  }
  inflateEnd(&stream);
  fclose(file);
  if (total > maximumInflatedBytes) {
    reason = "the deflated dataset inflates to more than 1 GB";
    return false;
  }
  return true;
}

pleura_dicom *pleura_dicom_open(const char *path, char *error, size_t error_size) {
  pleura::setup();
  try {
    {
      DcmFileFormat meta;
      if (meta.loadFile(path, EXS_Unknown, EGL_noChange, lazyValueLength, ERM_metaOnly).good()) {
        OFString syntax;
        std::string reason;
        if (meta.getMetaInfo()->findAndGetOFString(DCM_TransferSyntaxUID, syntax).good() &&
            syntax == UID_DeflatedExplicitVRLittleEndianTransferSyntax && !inflatesWithinLimit(path, meta, reason)) {
          pleura::fail(error, error_size, "not a readable DICOM file (" + reason + ")");
          return nullptr;
        }
      }
    }
    std::unique_ptr<pleura_dicom> dicom(new pleura_dicom());
    OFCondition status =
        dicom->file.loadFile(path, EXS_Unknown, EGL_noChange, lazyValueLength, ERM_autoDetect);
    if (status.bad()) {
      pleura::fail(error, error_size, std::string("not a readable DICOM file (") + status.text() + ")");
      return nullptr;
    }
    dicom->xfer = dicom->file.getDataset()->getOriginalXfer();
    return dicom.release();
  } catch (const std::bad_alloc &) {
    pleura::fail(error, error_size, "not a readable DICOM file (out of memory while parsing it)");
  } catch (...) {
    pleura::fail(error, error_size, "not a readable DICOM file (DCMTK failed while parsing it)");
  }
  return nullptr;
}

void pleura_dicom_close(pleura_dicom *dicom) { delete dicom; }

const char *pleura_dicom_transfer_syntax_uid(pleura_dicom *dicom) {
  return DcmXfer(dicom->xfer).getXferID();
}

const char *pleura_dicom_transfer_syntax_name(pleura_dicom *dicom) {
  return DcmXfer(dicom->xfer).getXferName();
}

int pleura_dicom_transfer_syntax_decodable(pleura_dicom *dicom) {
  DcmXfer xfer(dicom->xfer);
  if (xfer.getXfer() == EXS_Unknown) return 0;
  if (!xfer.isEncapsulated()) return 1;
  return DcmCodecList::canChangeCoding(dicom->xfer, EXS_LittleEndianExplicit) ? 1 : 0;
}

static long copyValue(const OFString &value, char *out, size_t size) {
  if (out != nullptr && size > 0) {
    size_t n = value.length() < size - 1 ? value.length() : size - 1;
    memcpy(out, value.c_str(), n);
    out[n] = 0;
  }
  return (long)value.length();
}

static long itemString(DcmItem *item, uint16_t group, uint16_t element, char *out, size_t size) {
  OFString value;
  if (item == nullptr || item->findAndGetOFStringArray(DcmTagKey(group, element), value).bad()) return -1;
  return copyValue(value, out, size);
}

long pleura_dicom_string(pleura_dicom *dicom, uint16_t group, uint16_t element, char *out, size_t size) {
  try {
    return itemString(dicom->file.getDataset(), group, element, out, size);
  } catch (...) {
    return -1;
  }
}

long pleura_dicom_item_string(pleura_dicom *dicom, uint16_t sequence_group, uint16_t sequence_element,
                              unsigned long item, uint16_t group, uint16_t element, char *out, size_t size) {
  try {
    DcmItem *found = nullptr;
    OFCondition status = dicom->file.getDataset()->findAndGetSequenceItem(
        DcmTagKey(sequence_group, sequence_element), found, (signed long)item);
    if (status.bad()) return -1;
    return itemString(found, group, element, out, size);
  } catch (...) {
    return -1;
  }
}

unsigned long pleura_dicom_item_count(pleura_dicom *dicom, uint16_t sequence_group, uint16_t sequence_element) {
  try {
    DcmSequenceOfItems *sequence = nullptr;
    if (dicom->file.getDataset()
            ->findAndGetSequence(DcmTagKey(sequence_group, sequence_element), sequence)
            .bad() ||
        sequence == nullptr)
      return 0;
    return sequence->card();
  } catch (...) {
    return 0;
  }
}

int pleura_dicom_integer(pleura_dicom *dicom, uint16_t group, uint16_t element, long *value) {
  try {
    DcmElement *found = nullptr;
    if (dicom->file.getDataset()->findAndGetElement(DcmTagKey(group, element), found).bad() || found == nullptr)
      return 0;
    if (found->getVM() == 0) return 0;
    switch (found->ident()) {
      case EVR_US: {
        Uint16 v = 0;
        if (found->getUint16(v).bad()) return 0;
        *value = v;
        return 1;
      }
      case EVR_SS: {
        Sint16 v = 0;
        if (found->getSint16(v).bad()) return 0;
        *value = v;
        return 1;
      }
      case EVR_UL: {
        Uint32 v = 0;
        if (found->getUint32(v).bad()) return 0;
        *value = v;
        return 1;
      }
      case EVR_SL: {
        Sint32 v = 0;
        if (found->getSint32(v).bad()) return 0;
        *value = v;
        return 1;
      }
      default: {
        OFString text;
        if (found->getOFString(text, 0).bad()) return 0;
        char *end = nullptr;
        long parsed = strtol(text.c_str(), &end, 10);
        if (end == text.c_str()) return 0;
        while (*end == ' ') end++;
        if (*end != 0) return 0;
        *value = parsed;
        return 1;
      }
    }
  } catch (...) {
    return 0;
  }
}

long pleura_dicom_pixel_data_extent(pleura_dicom *dicom, int *encapsulated) {
  try {
    DcmElement *found = nullptr;
    if (dicom->file.getDataset()->findAndGetElement(DCM_PixelData, found).bad() || found == nullptr) return -1;
    DcmPixelData *pixels = OFstatic_cast(DcmPixelData *, found);
    *encapsulated = 0;
    if (DcmXfer(dicom->xfer).isEncapsulated()) {
      DcmPixelSequence *sequence = nullptr;
      if (pixels->getEncapsulatedRepresentation(dicom->xfer, nullptr, sequence).good() && sequence != nullptr) {
        *encapsulated = 1;
        unsigned long items = sequence->card();
        return items > 0 ? (long)(items - 1) : 0;
      }
    }
    Uint32 length = pixels->getLength(dicom->xfer);
    return length == DCM_UndefinedLength ? 0 : (long)length;
  } catch (...) {
    return -1;
  }
}

// Rewriting a dataset's elements: the visitor (Swift) decides, this file applies.

#include <vector>

#include "internal.h"

static const size_t replacementSize = 1024;

static int visitItem(DcmItem *item, int depth, pleura_dicom_visitor visitor, void *context, char *error,
                     size_t error_size) {
  std::vector<char> replacement(replacementSize);
  unsigned long index = 0;
  while (index < item->card()) {
    DcmElement *element = item->getElement(index);
    const DcmTag &tag = element->getTag();
    DcmVR vr(element->getVR());
    OFString text;
    bool hasText = element->isaString() && element->getOFStringArray(text).good();
    replacement[0] = 0;
    int action = visitor(context, depth, tag.getGroup(), tag.getElement(), vr.getValidVRName(),
                         hasText ? text.c_str() : nullptr, replacement.data(), replacement.size());
    switch (action) {
      case PLEURA_DICOM_REMOVE:
        delete item->remove(index);
        continue;
      case PLEURA_DICOM_REPLACE:
        if (element->ident() == EVR_SQ) {
          OFstatic_cast(DcmSequenceOfItems *, element)->clear();
        } else if (replacement[0] == 0 || !element->isaString()) {
          element->clear();
        } else if (element->putString(replacement.data()).bad()) {
          return pleura::fail(error, error_size,
                              "cannot replace the value of (" + std::string(tag.toString().c_str()) + ")");
        }
        break;
      default:
        if (element->ident() == EVR_SQ) {
          DcmSequenceOfItems *sequence = OFstatic_cast(DcmSequenceOfItems *, element);
          for (unsigned long i = 0; i < sequence->card(); i++) {
            if (visitItem(sequence->getItem(i), depth + 1, visitor, context, error, error_size) != 0) return -1;
          }
        }
        break;
    }
    index++;
  }
  return 0;
}

int pleura_dicom_rewrite(pleura_dicom *dicom, pleura_dicom_visitor visitor, void *context, char *error,
                         size_t error_size) {
  PLEURA_GUARD(error, error_size, {
    // The meta header names the sending application and may carry private information; DCMTK
    // writes a fresh one from the rewritten dataset.
    dicom->file.getMetaInfo()->clear();
    dicom->image.reset();
    dicom->loaded = -1;
    return visitItem(dicom->file.getDataset(), 0, visitor, context, error, error_size);
  })
}

int pleura_dicom_put(pleura_dicom *dicom, uint16_t group, uint16_t element, const char *value, char *error,
                     size_t error_size) {
  PLEURA_GUARD(error, error_size, {
    DcmTagKey key(group, element);
    OFCondition status = dicom->file.getDataset()->putAndInsertString(key, value);
    if (status.bad()) {
      return pleura::fail(error, error_size,
                          "cannot set " + std::string(key.toString().c_str()) + ": " + status.text());
    }
    return 0;
  })
}

void pleura_dicom_remove(pleura_dicom *dicom, uint16_t group, uint16_t element) {
  try {
    dicom->file.getDataset()->findAndDeleteElement(DcmTagKey(group, element), OFTrue, OFFalse);
  } catch (...) {
  }
}

int pleura_dicom_append_code(pleura_dicom *dicom, uint16_t sequence_group, uint16_t sequence_element,
                             const char *value, const char *scheme, const char *meaning, char *error,
                             size_t error_size) {
  PLEURA_GUARD(error, error_size, {
    DcmItem *item = nullptr;
    OFCondition status =
        dicom->file.getDataset()->findOrCreateSequenceItem(DcmTagKey(sequence_group, sequence_element), item, -2);
    if (status.good() && item != nullptr) {
      status = item->putAndInsertString(DCM_CodeValue, value);
      if (status.good()) status = item->putAndInsertString(DCM_CodingSchemeDesignator, scheme);
      if (status.good()) status = item->putAndInsertString(DCM_CodeMeaning, meaning);
    }
    if (status.bad() || item == nullptr) {
      return pleura::fail(error, error_size, std::string("cannot add a code item: ") + status.text());
    }
    return 0;
  })
}

// The files a DICOMDIR (PS3.10 media directory) references.

#include "dcmtk/dcmdata/dcdicdir.h"
#include "internal.h"

static void visitRecord(DcmDirectoryRecord *record, pleura_dicom_file_visitor visitor, void *context,
                        int depth) {
  if (record == nullptr || depth > 16) return;
  OFString id;
  if (record->findAndGetOFStringArray(DCM_ReferencedFileID, id).good() && !id.empty()) {
    std::string path(id.c_str());
    for (char &c : path) {
      if (c == '\\') c = '/';
    }
    visitor(context, path.c_str());
  }
  for (unsigned long i = 0; i < record->cardSub(); i++) visitRecord(record->getSub(i), visitor, context, depth + 1);
}

int pleura_dicomdir_files(const char *path, pleura_dicom_file_visitor visitor, void *context, char *error,
                          size_t error_size) {
  pleura::setup();
  PLEURA_GUARD(error, error_size, {
    DcmDicomDir directory(path);
    if (directory.error().bad()) {
      return pleura::fail(error, error_size, std::string("not a readable DICOMDIR (") + directory.error().text() + ")");
    }
    DcmDirectoryRecord &root = directory.getRootRecord();
    for (unsigned long i = 0; i < root.cardSub(); i++) visitRecord(root.getSub(i), visitor, context, 0);
    return 0;
  })
}

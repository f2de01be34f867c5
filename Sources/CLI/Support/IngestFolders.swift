import Foundation
import Media

/// Folders named for ingest become their DICOM files (see `DicomFolder`), each with the folder's
/// patient, label and notes; a folder without any is refused in one line.
enum IngestFolders {
  static func expand(_ items: [IngestItem]) throws -> [IngestItem] {
    var expanded: [IngestItem] = []
    for item in items {
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: item.path, isDirectory: &isDirectory),
        isDirectory.boolValue
      else {
        expanded.append(item)
        continue
      }
      for file in try DicomFolder.files(in: URL(fileURLWithPath: item.path)) {
        var entry = item
        entry.path = file.path
        expanded.append(entry)
      }
    }
    return expanded
  }
}

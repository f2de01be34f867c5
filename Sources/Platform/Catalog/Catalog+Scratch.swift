import Foundation

extension Catalog {
  /// A new private folder for a command's temporary files, which the caller removes: in the blob
  /// store's staging area (on the blobs' file system, so files made there can be moved in) when
  /// it can be written, else in the system's temporary folder, so that commands which write
  /// nothing into the store (`bundle verify`, `export`) also work when `objects/` is read-only.
  public func scratchFolder() throws -> URL {
    do {
      return try blobs.scratchFolder()
    } catch  where StorageFault.classify(error) != nil {
      let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
        "pleura-scratch-\(getpid())-\(UUID().uuidString)")
      try FileManager.default.createDirectory(
        at: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
      return folder
    }
  }
}

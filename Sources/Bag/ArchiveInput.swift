import CArchive
import Foundation

/// A libarchive reader over an open file: tar only, uncompressed or zstd/gzip-compressed, the
/// compression detected from the content. It reports entries as they are; judging them is
/// `BagReader`'s job.
final class ArchiveInput {
  /// One entry header. `name` is nil when the name is not valid UTF-8 (`rawName` is then shown).
  struct Entry {
    var name: String?
    var rawName: String
    var fileType: UInt32
    var size: Int64?
    var hardlink: String?
    var symlink: String?
  }

  private let handle: OpaquePointer
  private let path: String
  private(set) var currentName: String?

  init(fileDescriptor: Int32, path: String) throws(BagError) {
    self.path = path
    guard let handle = archive_read_new() else {
      throw .io(path: path, reason: "libarchive could not allocate a reader")
    }
    self.handle = handle
    archive_read_support_format_tar(handle)
    archive_read_support_filter_zstd(handle)
    archive_read_support_filter_gzip(handle)
    // Opening already decompresses the first block and recognises the format: a failure here
    // is garbage ("Unrecognized archive format") or a damaged compressed stream.
    guard archive_read_open_fd(handle, fileDescriptor, 1 << 20) == pleura_archive_ok() else {
      if message.contains("Unrecognized archive format") { throw .notAnArchive(reason: message) }
      throw .corruptArchive(entry: nil, reason: message)
    }
  }

  deinit { archive_read_free(handle) }

  /// The next entry header, or nil at the end of the archive.
  func next() throws(BagError) -> Entry? {
    var entry: OpaquePointer?
    // Names are decoded through the locale: see UTF8Locale.
    let status = try UTF8Locale.run { () throws(BagError) in archive_read_next_header(handle, &entry) }
    if status == pleura_archive_eof() { return nil }
    guard status == pleura_archive_ok(), let entry else {
      // Garbage is only recognised as such before the first header; later it is damage.
      if currentName == nil && message.contains("Unrecognized archive format") {
        throw .notAnArchive(reason: message)
      }
      throw .corruptArchive(entry: currentName, reason: message)
    }
    let (utf8, raw) = try UTF8Locale.run { () throws(BagError) in
      (
        archive_entry_pathname_utf8(entry).flatMap { String(validatingCString: $0) },
        archive_entry_pathname(entry).map { String(decoding: Self.bytes($0), as: UTF8.self) }
      )
    }
    let info = Entry(
      name: utf8,
      rawName: utf8 ?? raw ?? "",
      fileType: archive_entry_filetype(entry),
      size: archive_entry_size_is_set(entry) != 0 ? archive_entry_size(entry) : nil,
      hardlink: archive_entry_hardlink(entry).map { String(cString: $0) },
      symlink: archive_entry_symlink(entry).map { String(cString: $0) })
    currentName = info.rawName
    return info
  }

  /// Reads the current entry's next bytes into `buffer`; 0 at the end of the entry.
  func read(into buffer: UnsafeMutableRawBufferPointer) throws(BagError) -> Int {
    let n = archive_read_data(handle, buffer.baseAddress, buffer.count)
    guard n >= 0 else { throw .corruptArchive(entry: currentName, reason: message) }
    return n
  }

  private var message: String {
    archive_error_string(handle).map { String(cString: $0) } ?? "libarchive error \(archive_errno(handle))"
  }

  private static func bytes(_ pointer: UnsafePointer<CChar>) -> [UInt8] {
    Array(UnsafeBufferPointer(start: pointer, count: strlen(pointer))).map { UInt8(bitPattern: $0) }
  }
}

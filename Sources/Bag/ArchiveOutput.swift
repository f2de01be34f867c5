import CArchive
import Foundation

/// A libarchive writer producing a pax tar, zstd- or gzip-compressed, into an open file
/// descriptor. It knows tar, not BagIt: `BagWriter` decides what goes in.
final class ArchiveOutput {
  private var handle: OpaquePointer?
  private let entry: OpaquePointer
  private let path: String

  init(fileDescriptor: Int32, path: String, compression: BagCompression) throws(BagError) {
    self.path = path
    guard let handle = archive_write_new(), let entry = archive_entry_new() else {
      throw .io(path: path, reason: "libarchive could not allocate a writer")
    }
    self.handle = handle
    self.entry = entry
    try check(archive_write_set_format_pax_restricted(handle))
    switch compression {
    case .zstd(let level, let threads):
      try check(archive_write_add_filter_zstd(handle))
      try check(archive_write_set_filter_option(handle, "zstd", "compression-level", "\(level)"))
      if threads > 1 {
        // Multi-threaded zstd needs libarchive 3.6 and a libzstd built with threads; without
        // them the option is refused and compression stays single-threaded, which is correct.
        _ = archive_write_set_filter_option(handle, "zstd", "threads", "\(threads)")
      }
    case .gzip(let level):
      try check(archive_write_add_filter_gzip(handle))
      try check(archive_write_set_filter_option(handle, "gzip", "compression-level", "\(level)"))
    }
    // Large blocks mean fewer write(2) calls; no padding of the last block to a full one.
    try check(archive_write_set_bytes_per_block(handle, 64 * 1024))
    try check(archive_write_set_bytes_in_last_block(handle, 1))
    try check(archive_write_open_fd(handle, fileDescriptor))
  }

  deinit {
    if let handle { archive_write_free(handle) }
    archive_entry_free(entry)
  }

  /// Starts an entry: a folder when `size` is nil, otherwise a regular file of exactly `size`
  /// bytes, which the caller then passes to `write`.
  func beginEntry(name: String, size: Int64?, modified: Int) throws(BagError) {
    guard let handle else { throw .writerClosed }
    archive_entry_clear(entry)
    archive_entry_set_pathname_utf8(entry, name)  // converted under UTF8Locale by write_header
    if let size {
      archive_entry_set_filetype(entry, pleura_ae_ifreg())
      archive_entry_set_perm(entry, 0o644)
      archive_entry_set_size(entry, size)
    } else {
      archive_entry_set_filetype(entry, pleura_ae_ifdir())
      archive_entry_set_perm(entry, 0o755)
    }
    archive_entry_set_mtime(entry, modified, 0)
    let status = try UTF8Locale.run { () throws(BagError) in archive_write_header(handle, entry) }
    try check(status, entry: name)
  }

  /// Appends bytes to the current file entry.
  func write(_ bytes: UnsafeRawBufferPointer) throws(BagError) {
    guard let handle else { throw .writerClosed }
    guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
    var offset = 0
    while offset < bytes.count {
      let n = archive_write_data(handle, base + offset, bytes.count - offset)
      if n <= 0 { throw .io(path: path, reason: message(handle)) }
      offset += n
    }
  }

  /// Flushes the compressor and tar trailer. The descriptor stays open (the caller owns it).
  func close() throws(BagError) {
    guard let handle else { throw .writerClosed }
    defer {
      archive_write_free(handle)
      self.handle = nil
    }
    try check(archive_write_close(handle))
  }

  private func check(_ status: Int32, entry: String? = nil) throws(BagError) {
    guard status != pleura_archive_ok() else { return }
    let reason = handle.map(message) ?? "libarchive failed"
    throw .io(path: entry.map { "\(path): \($0)" } ?? path, reason: reason)
  }

  private func message(_ handle: OpaquePointer) -> String {
    archive_error_string(handle).map { String(cString: $0) } ?? "libarchive error \(archive_errno(handle))"
  }
}

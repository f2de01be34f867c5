import CArchive
import Crypto
import Foundation

/// Writes tar archives entry by entry with libarchive directly, so tests can craft what
/// `BagWriter` never writes: links, devices, FIFOs, hostile names, wrong sizes, bad tag files.
enum RawArchive {
  enum Kind { case file, folder, symlink(String), hardlink(String), charDevice, blockDevice, fifo }

  struct Entry {
    var name: String
    var kind: Kind = .file
    var data = Data()
    /// Name bytes written as-is (not converted from UTF-8), e.g. to test invalid UTF-8.
    var rawName: [UInt8]?
    init(_ name: String, _ kind: Kind = .file, _ data: Data = Data()) {
      self.name = name
      self.kind = kind
      self.data = data
    }
    init(_ name: String, text: String) { self.init(name, .file, Data(text.utf8)) }
  }

  enum Filter { case zstd, gzip, none }

  static func write(_ entries: [Entry], to url: URL, filter: Filter = .zstd) {
    // libarchive 3.6's pax writer crashes on non-ASCII names under the C locale.
    let utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", nil)
    let previous = uselocale(utf8)
    defer {
      uselocale(previous)
      freelocale(utf8)
    }
    let a = archive_write_new()!
    defer { archive_write_free(a) }
    archive_write_set_format_pax_restricted(a)
    switch filter {
    case .zstd: archive_write_add_filter_zstd(a)
    case .gzip: archive_write_add_filter_gzip(a)
    case .none: break
    }
    precondition(archive_write_open_filename(a, url.path) == pleura_archive_ok())
    let e = archive_entry_new()!
    defer { archive_entry_free(e) }
    for entry in entries {
      archive_entry_clear(e)
      if let raw = entry.rawName {
        archive_entry_set_pathname(e, raw.map { CChar(bitPattern: $0) } + [0])
      } else {
        archive_entry_set_pathname_utf8(e, entry.name)
      }
      archive_entry_set_perm(e, 0o644)
      archive_entry_set_mtime(e, 1_700_000_000, 0)
      var payload = false
      switch entry.kind {
      case .file:
        archive_entry_set_filetype(e, pleura_ae_ifreg())
        archive_entry_set_size(e, Int64(entry.data.count))
        payload = true
      case .folder: archive_entry_set_filetype(e, pleura_ae_ifdir())
      case .symlink(let target):
        archive_entry_set_filetype(e, pleura_ae_iflnk())
        archive_entry_set_symlink(e, target)
      case .hardlink(let target):
        archive_entry_set_filetype(e, pleura_ae_ifreg())
        archive_entry_set_hardlink(e, target)
        archive_entry_set_size(e, 0)
      case .charDevice:
        archive_entry_set_filetype(e, pleura_ae_ifchr())
        archive_entry_set_rdev(e, 0x0103)
      case .blockDevice:
        archive_entry_set_filetype(e, pleura_ae_ifblk())
        archive_entry_set_rdev(e, 0x0801)
      case .fifo: archive_entry_set_filetype(e, pleura_ae_ififo())
      }
      // A name that is not valid UTF-8 is written with a warning.
      precondition(archive_write_header(a, e) >= pleura_archive_warn(), "header for \(entry.name)")
      if payload && !entry.data.isEmpty {
        entry.data.withUnsafeBytes { _ = archive_write_data(a, $0.baseAddress, $0.count) }
      }
    }
    archive_write_close(a)
  }

  /// The entries of a valid bag `bag/` holding `payload` (paths relative to data/), tag files
  /// last unless `infoFirst`. `adjust` may change the tag texts before checksums are taken.
  static func bag(
    _ payload: [(String, Data)], name: String = "bag", infoFirst: Bool = false,
    info: String? = nil, manifest: String? = nil, omitTagManifest: Bool = false
  ) -> [Entry] {
    let bytes = payload.reduce(0) { $0 + $1.1.count }
    let bagit = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
    let infoText = info ?? "Source-Organization: Test\nPayload-Oxum: \(bytes).\(payload.count)\n"
    let manifestText =
      manifest ?? payload.map { "\(sha256($0.1))  data/\($0.0)\n" }.joined()
    var tags = [
      Entry("\(name)/bagit.txt", text: bagit), Entry("\(name)/bag-info.txt", text: infoText),
      Entry("\(name)/manifest-sha256.txt", text: manifestText),
    ]
    if !omitTagManifest {
      let tagManifest = tags.map { "\(sha256($0.data))  \($0.name.dropFirst(name.count + 1))\n" }.joined()
      tags.append(Entry("\(name)/tagmanifest-sha256.txt", text: tagManifest))
    }
    let data =
      [Entry("\(name)/", .folder), Entry("\(name)/data/", .folder)]
      + payload.map { Entry("\(name)/data/\($0.0)", .file, $0.1) }
    return infoFirst ? [data[0]] + tags + data.dropFirst() : data + tags
  }

  static func sha256(_ data: Data) -> String {
    SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
  }
}

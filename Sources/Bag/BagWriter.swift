import Crypto
import Foundation
import Primitives

/// Writes a BagIt bag (RFC 8493) straight into a compressed tar archive, streaming: payload files
/// are read in 1 MiB chunks, hashed with SHA-256 and compressed on the way, so memory does not
/// grow with the bag and nothing is staged on disk.
///
/// The archive holds one top-level folder named after the bag, as BagIt serialisations do:
/// `<bagName>/data/...` first, then `<bagName>/bagit.txt`, `bag-info.txt`, `manifest-sha256.txt`
/// and `tagmanifest-sha256.txt` (the tag files come last because only then are the checksums
/// known; `BagReader` and unpack-then-validate tools do not mind the order). It is written to a
/// hidden temporary file next to `archive` (mode 0600: bundles may hold patient data) and appears
/// under its name only once `finish` succeeds; an unfinished writer removes it. A writer is used
/// from one thread or task at a time.
///
/// ```swift
/// let writer = try BagWriter(creating: URL(filePath: "out.tar.zst"), bagName: "site-a-export")
/// try writer.addData(rowsJSON, as: "catalog/videos.json")
/// try writer.addFile(at: blobURL, as: "objects/ab/abcd...")
/// var info = BagInfo()
/// info.append("Source-Organization", "Site A")
/// let summary = try writer.finish(info: info)
/// ```
public final class BagWriter {
  private let archiveURL: URL
  private let partialPath: String
  private let fileDescriptor: Int32
  private let bagName: String
  private let output: ArchiveOutput
  private let modified: Int
  private let baggingDate: Date
  private var manifest = Manifest()
  private var names = Set<String>()
  private var folders = Set<String>()
  private var payloadBytes: Int64 = 0
  private var closed = false
  private lazy var buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)

  /// Creates `archive` (which must not exist yet) holding a bag in the folder `bagName`, a single
  /// safe path component. `date` becomes Bagging-Date and every entry's modification time.
  /// `partialPrefix`, a path beside `archive`, names the hidden temporary file (`prefix` plus six
  /// random characters) when the caller has recorded it to clean up after a crash.
  public init(
    creating archive: URL, bagName: String, compression: BagCompression = .zstd(), date: Date = Date(),
    partialPrefix: String? = nil
  ) throws(BagError) {
    guard case .success(let parts) = BagPath.components(of: bagName), parts.count == 1 else {
      throw .invalidPayloadPath(path: bagName, reason: "a bag name must be one safe path component")
    }
    let path = archive.path
    guard !FileManager.default.fileExists(atPath: path) else { throw .archiveExists(path: path) }
    let directory = archive.deletingLastPathComponent().path
    let prefix = partialPrefix ?? "\(directory)/.\(archive.lastPathComponent).partial-"
    guard URL(fileURLWithPath: prefix).deletingLastPathComponent().path == directory else {
      throw .invalidPayloadPath(path: prefix, reason: "the partial file must be beside the archive")
    }
    var template = Array("\(prefix)XXXXXX".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.address) }
    guard fd >= 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
    let partial = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    do throws(BagError) {
      output = try ArchiveOutput(fileDescriptor: fd, path: path, compression: compression)
    } catch {
      Foundation.close(fd)
      unlink(partial)
      throw error
    }
    self.archiveURL = archive
    self.partialPath = partial
    self.fileDescriptor = fd
    self.bagName = bagName
    self.modified = Int(date.timeIntervalSince1970)
    self.baggingDate = date
    do throws(BagError) {
      try addFolderEntry("")
      try addFolderEntry("data")
    } catch {
      cancel()
      throw error
    }
  }

  deinit {
    if !closed { cancel() }
    buffer.deallocate()
  }

  // MARK: - Payload

  /// Adds the regular file at `source` as `data/<payloadPath>`, streaming it in chunks; returns
  /// the SHA-256 written to the manifest (a content-addressed source can be checked against it).
  @discardableResult
  public func addFile(at source: URL, as payloadPath: String) throws(BagError) -> String {
    // O_NONBLOCK so that a FIFO given by mistake is refused below instead of blocking open(2).
    let fd = open(source.path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    guard fd >= 0 else { throw .io(path: source.path, reason: String(cString: strerror(errno))) }
    defer { Foundation.close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
      throw .invalidPayloadPath(path: source.path, reason: "the source is not a regular file")
    }
    let size = Int64(info.st_size)
    return try addPayload(payloadPath, size: size) { () throws(BagError) -> UnsafeRawBufferPointer in
      let n = read(fd, buffer.baseAddress, buffer.count)
      guard n >= 0 else { throw .io(path: source.path, reason: String(cString: strerror(errno))) }
      return UnsafeRawBufferPointer(rebasing: buffer[0..<n])
    } onShort: { read throws(BagError) in
      throw .sourceChanged(path: source.path, expected: size, actual: read)
    }
  }

  /// Adds `data` as `data/<payloadPath>`.
  public func addData(_ data: Data, as payloadPath: String) throws(BagError) {
    try data.withBagBytes { (bytes) throws(BagError) in
      var given = false
      _ = try addPayload(payloadPath, size: Int64(bytes.count)) {
        () throws(BagError) -> UnsafeRawBufferPointer in
        defer { given = true }
        return given ? UnsafeRawBufferPointer(start: nil, count: 0) : bytes
      } onShort: { _ throws(BagError) in
        preconditionFailure("in-memory data cannot change size")
      }
    }
  }

  /// Adds every regular file under the folder `source` as `data/<prefix>/<relative path>`,
  /// in sorted order. Symlinks and special files in `source` are refused, not followed.
  public func addFolder(at source: URL, as prefix: String) throws(BagError) {
    let root = source.standardizedFileURL.path
    guard let walker = FileManager.default.enumerator(atPath: root) else {
      throw .io(path: root, reason: "cannot list the folder")
    }
    var files: [String] = []
    while let relative = walker.nextObject() as? String {
      let type = walker.fileAttributes?[.type] as? FileAttributeType
      if type == .typeRegular {
        files.append(relative)
      } else if type != .typeDirectory {
        throw .invalidPayloadPath(
          path: "\(root)/\(relative)", reason: "only regular files and folders can be added")
      }
    }
    for relative in files.sorted() {
      let target = prefix.isEmpty ? relative : "\(prefix)/\(relative)"
      try addFile(at: URL(filePath: "\(root)/\(relative)"), as: target)
    }
  }

  // MARK: - Finishing

  /// Writes the tag files, closes the archive and moves it to its final name. `info` supplies
  /// bag-info.txt's fields; Bagging-Date, Payload-Oxum and Bag-Size are computed and replace any
  /// given.
  @discardableResult
  public func finish(info: BagInfo) throws(BagError) -> BagSummary {
    try checkOpen()
    do throws(BagError) {
      var info = info
      for label in ["Bagging-Date", "Payload-Oxum", "Bag-Size"] { info.removeAll(label) }
      let formatter = DateFormatter()
      formatter.locale = Locale(identifier: "en_US_POSIX")
      formatter.timeZone = TimeZone(identifier: "UTC")
      formatter.dateFormat = "yyyy-MM-dd"
      info.append("Bagging-Date", formatter.string(from: baggingDate))
      info.append("Payload-Oxum", "\(payloadBytes).\(manifest.entries.count)")
      info.append("Bag-Size", BagWriter.humanSize(payloadBytes))
      var tags = Manifest()
      let tagFiles = [
        ("bagit.txt", "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"),
        ("bag-info.txt", try info.text()),
        ("manifest-sha256.txt", manifest.text),
      ]
      for (name, text) in tagFiles {
        tags.entries.append((name, try writeTag(name, text)))
      }
      _ = try writeTag("tagmanifest-sha256.txt", tags.text)
      try output.close()
      closed = true
      let syncFailure = fsync(fileDescriptor) == 0 ? 0 : errno
      let closeFailure = Foundation.close(fileDescriptor) == 0 ? 0 : errno
      if syncFailure != 0 || closeFailure != 0 {
        unlink(partialPath)
        throw BagError.io(
          path: partialPath, reason: String(cString: strerror(max(syncFailure, closeFailure))))
      }
      // link(2) refuses to replace an existing file, unlike rename(2).
      guard link(partialPath, archiveURL.path) == 0 else {
        let reason = errno == EEXIST ? nil : String(cString: strerror(errno))
        unlink(partialPath)
        if let reason { throw BagError.io(path: archiveURL.path, reason: reason) }
        throw BagError.archiveExists(path: archiveURL.path)
      }
      unlink(partialPath)
    } catch {
      // Before the archive is closed, cancel() removes it; after, the branches above did.
      if !closed { cancel() }
      throw error
    }
    var info = stat()
    let archiveBytes = stat(archiveURL.path, &info) == 0 ? Int64(info.st_size) : -1
    return BagSummary(
      archive: archiveURL, payloadFiles: manifest.entries.count, payloadBytes: payloadBytes,
      archiveBytes: archiveBytes)
  }

  /// Abandons the bag and removes the partial archive. Safe to call more than once.
  public func cancel() {
    guard !closed else { return }
    closed = true
    try? output.close()
    Foundation.close(fileDescriptor)
    unlink(partialPath)
  }

  // MARK: - Entries

  private func addPayload(
    _ payloadPath: String, size: Int64,
    next: () throws(BagError) -> UnsafeRawBufferPointer,
    onShort: (Int64) throws(BagError) -> Void
  ) throws(BagError) -> String {
    try checkOpen()
    let name = try payloadName(payloadPath)
    var hasher = SHA256()
    var written: Int64 = 0
    do throws(BagError) {
      try output.beginEntry(name: "\(bagName)/\(name)", size: size, modified: modified)
      while true {
        let chunk = try next()
        if chunk.isEmpty { break }
        if Int64(chunk.count) > size - written { try onShort(written + Int64(chunk.count)) }
        hasher.update(bufferPointer: chunk)
        try output.write(chunk)
        written += Int64(chunk.count)
      }
      if written != size { try onShort(written) }
    } catch {
      // A half-written entry leaves the tar inconsistent: the whole bag is abandoned.
      cancel()
      throw error
    }
    let checksum = hasher.finalizeHex()
    record(name, size: size, checksum: checksum)
    return checksum
  }

  /// Validates a payload path and writes folder entries for its parents; returns `data/<path>`.
  private func payloadName(_ payloadPath: String) throws(BagError) -> String {
    let parts: [String]
    switch BagPath.components(of: "data/\(payloadPath)") {
    case .success(let p): parts = p
    case .failure(let unsafe): throw .invalidPayloadPath(path: payloadPath, reason: unsafe.reason)
    }
    // RFC 8493 percent-encodes '%' in manifests but bagit-python (1.9) does not decode it, so a
    // name with '%' would fail validation at sites using that tool.
    guard !payloadPath.contains("%") else {
      throw .invalidPayloadPath(
        path: payloadPath, reason: "'%' is not allowed (BagIt tools disagree on its encoding)")
    }
    let name = parts.joined(separator: "/")
    guard !names.contains(name), !folders.contains(name) else {
      throw .invalidPayloadPath(path: payloadPath, reason: "it was already added")
    }
    for depth in 1..<parts.count {
      let folder = parts[..<depth].joined(separator: "/")
      if names.contains(folder) {
        throw .invalidPayloadPath(path: payloadPath, reason: "'\(folder)' was already added as a file")
      }
      try addFolderEntry(folder)
    }
    names.insert(name)
    return name
  }

  private func addFolderEntry(_ relative: String) throws(BagError) {
    guard folders.insert(relative).inserted else { return }
    let name = relative.isEmpty ? "\(bagName)/" : "\(bagName)/\(relative)/"
    try output.beginEntry(name: name, size: nil, modified: modified)
  }

  private func record(_ name: String, size: Int64, checksum: String) {
    manifest.entries.append((name, checksum))
    payloadBytes += size
  }

  private func writeTag(_ name: String, _ text: String) throws(BagError) -> String {
    let bytes = Array(text.utf8)
    try output.beginEntry(name: "\(bagName)/\(name)", size: Int64(bytes.count), modified: modified)
    try Data(bytes).withBagBytes { (raw) throws(BagError) in try output.write(raw) }
    return SHA256.hash(data: bytes).lowercaseHex
  }

  private func checkOpen() throws(BagError) {
    if closed { throw .writerClosed }
  }

  /// A human-readable size for Bag-Size, e.g. "312.4 MB" (decimal units, as BagIt examples use).
  static func humanSize(_ bytes: Int64) -> String {
    let units = ["bytes", "KB", "MB", "GB", "TB", "PB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1000, unit < units.count - 1 {
      value /= 1000
      unit += 1
    }
    return unit == 0 ? "\(bytes) bytes" : "\(String(format: "%.1f", value)) \(units[unit])"
  }
}

extension Data {
  /// `withUnsafeBytes` for a body that throws `BagError` (Foundation's version only rethrows).
  fileprivate func withBagBytes(_ body: (UnsafeRawBufferPointer) throws(BagError) -> Void) throws(BagError) {
    let outcome: Result<Void, BagError> = withUnsafeBytes { bytes in
      do throws(BagError) {
        try body(bytes)
        return .success(())
      } catch {
        return .failure(error)
      }
    }
    try outcome.get()
  }
}

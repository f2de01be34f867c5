import Crypto
import Foundation
import Primitives

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A blob as stored: its SHA-256 (its name) and size in bytes.
public struct StoredBlob: Hashable, Codable, Sendable {
  public var sha256: String
  public var size: Int64

  public init(sha256: String, size: Int64) {
    self.sha256 = sha256
    self.size = size
  }
}

public enum BlobStoreError: Error, CustomStringConvertible {
  case invalidName(String)
  case missing(String)
  case io(path: String, reason: String)

  public var description: String {
    switch self {
    case .invalidName(let name): "'\(name)' is not a blob name (64 lowercase hex digits)"
    case .missing(let sha): "blob \(sha) is missing from the object store"
    case .io(let path, let reason): "\(path): \(reason)"
    }
  }
}

/// Content-addressed blobs under `objects/`, named by SHA-256 and never modified.
///
/// Writes go to `objects/staging/<pid>-<uuid>.tmp`, are fsynced, made read-only and renamed into
/// `objects/<first 2 hex>/<sha256>`; a crash leaves at most a staging file, which `gc` sweeps.
public struct BlobStore: Sendable {
  public let root: URL
  /// A second store read when a blob is not in `root`, and never written: a Slurm job's
  /// workspace reads its inputs from the catalog's store and writes its outputs into its own
  /// folder (see Platform/Jobs and docs/CLUSTER.md).
  public let readThrough: URL?

  public init(root: URL, readThrough: URL? = nil) {
    self.root = root
    self.readThrough = readThrough
  }

  static func create(at root: URL) throws {
    try FileManager.default.createDirectory(
      at: root.appendingPathComponent("staging"), withIntermediateDirectories: true)
  }

  var stagingFolder: URL { root.appendingPathComponent("staging") }

  // MARK: - Naming

  public static func isValidName(_ name: String) -> Bool {
    name.utf8.count == 64 && name.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
  }

  /// Where the blob lives. Refuses anything but a SHA-256 name, so that a name read from a
  /// hostile bundle can never address a path outside the store.
  public func url(for sha256: String) throws -> URL {
    let own = try ownURL(for: sha256)
    if let readThrough, !FileManager.default.fileExists(atPath: own.path) {
      let other = readThrough.appendingPathComponent(String(sha256.prefix(2))).appendingPathComponent(sha256)
      if FileManager.default.fileExists(atPath: other.path) { return other }
    }
    return own
  }

  /// Where the blob lives in this store's own folder: where it is written and removed, never the
  /// read-through store.
  func ownURL(for sha256: String) throws -> URL {
    guard Self.isValidName(sha256) else { throw BlobStoreError.invalidName(sha256) }
    return root.appendingPathComponent(String(sha256.prefix(2))).appendingPathComponent(sha256)
  }

  public func contains(_ sha256: String) -> Bool {
    guard let url = try? url(for: sha256) else { return false }
    return FileManager.default.fileExists(atPath: url.path)
  }

  // MARK: - Writing

  /// Copies a file into the store, hashing it on the way (memory stays at one chunk).
  public func store(fileAt source: URL) throws -> StoredBlob {
    let input: FileHandle
    do { input = try FileHandle(forReadingFrom: source) } catch {
      throw BlobStoreError.io(path: source.path, reason: "cannot be read")
    }
    defer { try? input.close() }
    return try write { sink in
      while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty { try sink.write(chunk) }
    }
  }

  /// Moves a file the caller made (in ``scratchFolder()``) into the store without copying it.
  public func store(movingFileAt file: URL) throws -> StoredBlob {
    let (sha256, size) = try SHA256Hex.digest(fileAt: file)
    try makeDurable(file)
    let blob = StoredBlob(sha256: sha256, size: size)
    try moveIntoPlace(staging: file, blob: blob)
    return blob
  }

  /// Moves a file whose SHA-256 the caller has just verified (a bundle's payload, checked
  /// against its manifest in a private staging folder) into the store without hashing it again.
  /// The file is fsynced first, as every blob is: rows that name it are committed next.
  public func store(movingVerifiedFileAt file: URL, sha256: String, size: Int64) throws -> StoredBlob {
    guard Self.isValidName(sha256) else { throw BlobStoreError.invalidName(sha256) }
    try makeDurable(file)
    let blob = StoredBlob(sha256: sha256, size: size)
    try moveIntoPlace(staging: file, blob: blob)
    return blob
  }

  /// A new private folder inside the store's staging area, on the same file system as the
  /// blobs, for a plugin's intermediate files. Named by process so `gc` knows when it is
  /// abandoned; the caller removes it.
  public func scratchFolder() throws -> URL {
    let folder = stagingFolder.appendingPathComponent("\(getpid())-\(UUID().uuidString).scratch")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
  }

  public func store(data: Data) throws -> StoredBlob {
    try write { sink in try sink.write(data) }
  }

  /// Streams bytes produced by `body` into a new blob.
  public func write(_ body: (BlobSink) throws -> Void) throws -> StoredBlob {
    try FileManager.default.createDirectory(at: stagingFolder, withIntermediateDirectories: true)
    let staging = stagingFolder.appendingPathComponent("\(getpid())-\(UUID().uuidString).tmp")
    let descriptor = open(staging.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else {
      throw BlobStoreError.io(path: staging.path, reason: String(cString: strerror(errno)))
    }
    let sink = BlobSink(descriptor: descriptor, path: staging.path)
    do {
      try body(sink)
      guard fsync(descriptor) == 0 else {
        throw BlobStoreError.io(path: staging.path, reason: "fsync failed")
      }
      close(descriptor)
      let blob = StoredBlob(sha256: SHA256Hex.hex(sink.hasher.finalize()), size: sink.size)
      try moveIntoPlace(staging: staging, blob: blob)
      return blob
    } catch {
      close(descriptor)
      unlink(staging.path)
      throw error
    }
  }

  /// fsync(2) of a file about to become a blob: the catalog rows naming it may commit next.
  private func makeDurable(_ file: URL) throws {
    let descriptor = open(file.path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else {
      throw BlobStoreError.io(path: file.path, reason: String(cString: strerror(errno)))
    }
    defer { close(descriptor) }
    guard fsync(descriptor) == 0 else {
      throw BlobStoreError.io(path: file.path, reason: "fsync failed: \(String(cString: strerror(errno)))")
    }
  }

  private func moveIntoPlace(staging: URL, blob: StoredBlob) throws {
    let destination = try ownURL(for: blob.sha256)
    let folder = destination.deletingLastPathComponent()
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    chmod(staging.path, 0o444)
    // A blob already under this name is replaced, not kept: the staged bytes were just hashed to
    // this name, while the file in place may have been damaged since (a truncated or overwritten
    // blob that `verify` reports). Storing the original bytes again repairs it, and replacing
    // good bytes with the same bytes changes nothing; rename(2) is atomic for readers.
    var status = rename(staging.path, destination.path)
    if status != 0 && errno == ENOENT {
      // A failed import removes the fan-out folders it made when they are empty; one may have gone
      // between the createDirectory above and this rename. Make it again, once.
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
      status = rename(staging.path, destination.path)
    }
    guard status == 0 else {
      let reason = String(cString: strerror(errno))
      unlink(staging.path)
      throw BlobStoreError.io(path: destination.path, reason: reason)
    }
    let directory = open(folder.path, O_RDONLY | O_CLOEXEC)
    if directory >= 0 {
      fsync(directory)
      close(directory)
    }
  }

  // MARK: - Reading and checking

  /// Re-hashes a blob: nil when its bytes still match its name, else what is wrong.
  public func check(_ sha256: String, expectedSize: Int64?) -> String? {
    guard let url = try? url(for: sha256) else { return "invalid blob name \(sha256)" }
    guard FileManager.default.fileExists(atPath: url.path) else { return "blob \(sha256) is missing" }
    guard let (actual, size) = try? SHA256Hex.digest(fileAt: url) else {
      return "blob \(sha256) cannot be read"
    }
    if actual != sha256 { return "blob \(sha256) was changed on disk (its bytes now hash to \(actual))" }
    if let expectedSize, expectedSize != size {
      return "blob \(sha256) has \(size) bytes, the catalog expects \(expectedSize)"
    }
    return nil
  }

  /// Names of every blob file present, and files that do not belong (wrong names).
  public func inventory() throws -> (blobs: [String], strays: [URL]) {
    var blobs: [String] = []
    var strays: [URL] = []
    let fileManager = FileManager.default
    for folder in try fileManager.contentsOfDirectory(atPath: root.path).sorted() where folder != "staging" {
      let folderURL = root.appendingPathComponent(folder)
      guard folder.count == 2, let names = try? fileManager.contentsOfDirectory(atPath: folderURL.path)
      else {
        strays.append(folderURL)
        continue
      }
      for name in names.sorted() {
        if Self.isValidName(name), name.hasPrefix(folder) {
          blobs.append(name)
        } else {
          strays.append(folderURL.appendingPathComponent(name))
        }
      }
    }
    return (blobs, strays)
  }

  /// Staging files left by processes that are no longer running.
  public func abandonedStagingFiles() throws -> [URL] {
    guard FileManager.default.fileExists(atPath: stagingFolder.path) else { return [] }
    return try FileManager.default.contentsOfDirectory(atPath: stagingFolder.path).sorted().compactMap {
      name in
      let pid = name.split(separator: "-").first.flatMap { Int32($0) }
      if let pid, ProcessLiveness.isAlive(pid) { return nil }
      return stagingFolder.appendingPathComponent(name)
    }
  }

  public func remove(_ sha256: String) throws {
    let url = try ownURL(for: sha256)
    try FileManager.default.removeItem(at: url)
  }
}

/// Where a blob's bytes are streamed; hashes as it writes.
public final class BlobSink {
  let descriptor: Int32
  let path: String
  var hasher = SHA256()
  public private(set) var size: Int64 = 0

  init(descriptor: Int32, path: String) {
    self.descriptor = descriptor
    self.path = path
  }

  public func write(_ data: Data) throws {
    hasher.update(data: data)
    try data.withUnsafeBytes { raw in
      var offset = 0
      while offset < raw.count {
        let written = Glibc.write(descriptor, raw.address + offset, raw.count - offset)
        if written < 0 {
          if errno == EINTR { continue }
          throw BlobStoreError.io(path: path, reason: String(cString: strerror(errno)))
        }
        offset += written
      }
    }
    size += Int64(data.count)
  }

  public func write(_ bytes: UnsafeRawBufferPointer) throws {
    try write(Data(bytes))
  }
}

/// Whether a process id still names a running process.
public enum ProcessLiveness {
  public static func isAlive(_ pid: Int32) -> Bool {
    if pid == getpid() { return true }
    return kill(pid, 0) == 0 || errno == EPERM
  }
}

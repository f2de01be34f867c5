import Crypto
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A blob whose bytes no longer match its name (truncated, overwritten or replaced on disk),
/// found while a run or an export read it. Nothing read from it was used.
public struct DamagedBlobError: Error, CustomStringConvertible, Equatable {
  public var sha256: String
  /// What the bytes are, in the catalog's words: "source video vid_... (a.mp4)".
  public var entity: String
  public var actualSha256: String
  public var actualSize: Int64

  public var description: String {
    "blob \(sha256) (\(entity)) is damaged: its \(actualSize) bytes on disk hash to "
      + "\(actualSha256.prefix(16))..., not to its name; nothing was read from it. `pleura verify` lists "
      + "damaged blobs; storing the original bytes again (for a source video: ingesting its file) repairs it"
  }
}

/// Every read of a blob's bytes goes through here, and is checked against the blob's name while
/// it is read: one SHA-256 pass over the bytes (see BENCHMARKS.md for its cost). There is no
/// unchecked way to read a blob's bytes; `url(for:)` is for housekeeping (gc, import) only.
extension BlobStore {
  /// The whole blob, once its bytes are known to match its name.
  public func read(_ sha256: String, of entity: String) throws -> Data {
    let file = try VerifiedBlobFile(store: self, sha256: sha256, entity: entity, keep: true)
    defer { file.close() }
    return file.bytes
  }

  /// Calls `body` with a path to the blob that ends in `fileName`'s extension, for libraries
  /// that open files by name and look at the extension (FFmpeg). The bytes are verified first,
  /// through a descriptor that stays open while `body` runs; the path leads to that descriptor
  /// (`/proc/self/fd/N`), so a file renamed over the blob after the check is not what is read.
  public func withNamedPath<T>(
    _ sha256: String, of entity: String, fileName: String, _ body: (URL) throws -> T
  ) throws -> T {
    let file = try VerifiedBlobFile(store: self, sha256: sha256, entity: entity, keep: false)
    defer { file.close() }
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let ext = URL(fileURLWithPath: fileName).pathExtension
    let link = folder.appendingPathComponent(ext.isEmpty ? "blob" : "blob.\(ext)")
    let pinned = "/proc/self/fd/\(file.descriptor)"
    let target = FileManager.default.fileExists(atPath: pinned) ? pinned : try url(for: sha256).path
    try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: target)
    return try body(link)
  }

  /// Forgets which files this process has verified, so that the next read of each hashes it
  /// again (`pleura bench verify` times the check itself, not its memory).
  public static func forgetVerifications() { VerifiedStamps.shared.forgetAll() }

  /// A handle on the blob for random access (cube shards), positioned at its start, after one
  /// verifying pass over its bytes. The caller closes it.
  public func openVerified(_ sha256: String, of entity: String) throws -> FileHandle {
    let file = try VerifiedBlobFile(store: self, sha256: sha256, entity: entity, keep: false)
    guard lseek(file.descriptor, 0, SEEK_SET) == 0 else {
      let reason = String(cString: strerror(errno))
      file.close()
      throw BlobStoreError.io(path: sha256, reason: reason)
    }
    return FileHandle(fileDescriptor: file.descriptor, closeOnDealloc: true)
  }
}

/// What identifies a file's current bytes on disk: a file renamed over a blob has another inode,
/// and every write to a file moves its ctime, which no user can set back.
private struct FileStamp: Hashable {
  var device: UInt64
  var inode: UInt64
  var size: Int64
  var modified: timespec
  var changed: timespec

  init(_ info: stat) {
    (device, inode, size) = (UInt64(info.st_dev), UInt64(info.st_ino), Int64(info.st_size))
    (modified, changed) = (info.st_mtim, info.st_ctim)
  }

  static func == (a: FileStamp, b: FileStamp) -> Bool {
    a.device == b.device && a.inode == b.inode && a.size == b.size
      && a.modified.tv_sec == b.modified.tv_sec && a.modified.tv_nsec == b.modified.tv_nsec
      && a.changed.tv_sec == b.changed.tv_sec && a.changed.tv_nsec == b.changed.tv_nsec
  }

  func hash(into hasher: inout Hasher) {
    hasher.combine(inode)
    hasher.combine(changed.tv_nsec)
  }
}

/// The blob files this process has verified, as they stood then: a long-running process (the
/// workbench serving a video by ranges, a training run reopening shards) hashes each file once,
/// and again only if it changed on disk since.
private final class VerifiedStamps: @unchecked Sendable {
  static let shared = VerifiedStamps()
  private let lock = NSLock()
  private var stamps: [String: FileStamp] = [:]

  func holds(_ sha256: String, _ stamp: FileStamp) -> Bool {
    lock.withLock { stamps[sha256] == stamp }
  }

  func record(_ sha256: String, _ stamp: FileStamp) {
    lock.withLock { stamps[sha256] = stamp }
  }

  func forgetAll() {
    lock.withLock { stamps = [:] }
  }
}

/// An open blob file whose bytes have been hashed and found to match its name.
private struct VerifiedBlobFile {
  let descriptor: Int32
  /// The bytes, when asked to keep them (else empty: the pass only hashed them).
  let bytes: Data

  init(store: BlobStore, sha256: String, entity: String, keep: Bool) throws {
    let path = try store.url(for: sha256).path
    let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
    guard fd >= 0 else {
      let code = errno
      if code == ENOENT { throw BlobStoreError.missing(sha256) }
      throw BlobStoreError.io(path: "blob \(sha256) (\(entity))", reason: String(cString: strerror(code)))
    }
    do {
      var info = stat()
      guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
        throw BlobStoreError.io(path: "blob \(sha256) (\(entity))", reason: "is not a regular file")
      }
      let stamp = FileStamp(info)
      let known = VerifiedStamps.shared.holds(sha256, stamp)
      if known && !keep {
        (descriptor, bytes) = (fd, Data())
        return
      }
      var hasher = SHA256()
      var kept = Data()
      if keep { kept.reserveCapacity(Int(info.st_size)) }
      var size: Int64 = 0
      let chunk = 1 << 20
      let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16)
      defer { buffer.deallocate() }
      while true {
        let n = Glibc.read(fd, buffer.baseAddress, chunk)
        if n < 0 {
          if errno == EINTR { continue }
          throw BlobStoreError.io(
            path: "blob \(sha256) (\(entity))", reason: String(cString: strerror(errno)))
        }
        if n == 0 { break }
        let slice = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
        if !known { hasher.update(bufferPointer: slice) }
        if keep { kept.append(contentsOf: slice) }
        size += Int64(n)
      }
      if !known {
        let actual = hasher.finalize().lowercaseHex
        guard actual == sha256 else {
          throw DamagedBlobError(sha256: sha256, entity: entity, actualSha256: actual, actualSize: size)
        }
        VerifiedStamps.shared.record(sha256, stamp)
      }
      descriptor = fd
      bytes = kept
    } catch {
      Glibc.close(fd)
      throw error
    }
  }

  func close() { Glibc.close(descriptor) }
}

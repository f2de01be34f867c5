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
        hasher.update(bufferPointer: slice)
        if keep { kept.append(contentsOf: slice) }
        size += Int64(n)
      }
      let actual = hasher.finalize().lowercaseHex
      guard actual == sha256 else {
        throw DamagedBlobError(sha256: sha256, entity: entity, actualSha256: actual, actualSize: size)
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

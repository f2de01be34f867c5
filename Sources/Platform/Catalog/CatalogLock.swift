import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// An advisory `flock` on a file inside the catalog folder. Runs hold it shared while they write
/// blobs that are not yet referenced; `pleura gc` takes it exclusively so it never deletes a blob
/// that a running process is about to commit. Migration uses a second lock file.
public final class CatalogLock: @unchecked Sendable {
  public enum Mode { case shared, exclusive }

  private let descriptor: Int32

  /// Blocks until the lock is held.
  public init(file: URL, mode: Mode) throws {
    descriptor = open(file.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    var result: Int32
    repeat {
      result = flock(descriptor, mode == .shared ? LOCK_SH : LOCK_EX)
    } while result != 0 && errno == EINTR
    guard result == 0 else {
      let code = errno
      close(descriptor)
      throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
    }
  }

  /// Takes the lock only if no other process holds it; nil when it is busy.
  public static func attempt(file: URL, mode: Mode) throws -> CatalogLock? {
    let descriptor = open(file.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    if flock(descriptor, (mode == .shared ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0 {
      close(descriptor)
      return nil
    }
    return CatalogLock(holding: descriptor)
  }

  private init(holding descriptor: Int32) { self.descriptor = descriptor }

  deinit {
    flock(descriptor, LOCK_UN)
    close(descriptor)
  }
}

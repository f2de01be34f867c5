import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// An output file written under a hidden temporary name beside its destination
/// (`.NAME.partial-PID-UUID`) and renamed into place only once complete, so that a command that
/// fails or is killed never leaves a partial file under the name a user or a script reads.
///
/// ```swift
/// let cubes = PartialFile(for: folder.appendingPathComponent("cubes.npy"))
/// defer { cubes.discard() }          // after commit() there is nothing left to discard
/// try write(into: cubes.temporary)
/// try cubes.commit()
/// ```
public struct PartialFile: Sendable {
  public let destination: URL
  public let temporary: URL

  public init(for destination: URL) {
    self.destination = destination
    temporary = destination.deletingLastPathComponent().appendingPathComponent(
      ".\(destination.lastPathComponent).partial-\(getpid())-\(UUID().uuidString.prefix(8))")
  }

  /// Writes `data` as the whole file and commits it.
  public static func write(_ data: Data, to destination: URL) throws {
    let file = PartialFile(for: destination)
    defer { file.discard() }
    do { try data.write(to: file.temporary) } catch {
      throw BlobStoreError.io(
        path: destination.path, reason: "cannot be written (\(error.localizedDescription))")
    }
    try file.commit()
  }

  /// Makes the finished file durable and gives it its real name, replacing an older file.
  public func commit() throws {
    let descriptor = open(temporary.path, O_RDONLY | O_CLOEXEC)
    if descriptor >= 0 {
      fsync(descriptor)
      close(descriptor)
    }
    guard rename(temporary.path, destination.path) == 0 else {
      throw BlobStoreError.io(path: destination.path, reason: String(cString: strerror(errno)))
    }
  }

  /// Removes the temporary file if it is still there (the write failed, or was never committed).
  public func discard() { unlink(temporary.path) }
}

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

  /// A new temporary name for `destination`; partial files of it that a killed process left
  /// (their process is gone) are removed first, so that a re-run cleans up after a kill.
  public init(for destination: URL) {
    self.destination = destination
    temporary = destination.deletingLastPathComponent().appendingPathComponent(
      "\(Self.prefix(of: destination))\(getpid())-\(UUID().uuidString.prefix(8))")
    Self.removeAbandoned(of: destination)
  }

  private static func prefix(of destination: URL) -> String { ".\(destination.lastPathComponent).partial-" }

  private static func removeAbandoned(of destination: URL) {
    let folder = destination.deletingLastPathComponent()
    let prefix = prefix(of: destination)
    for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    where name.hasPrefix(prefix) {
      let pid = name.dropFirst(prefix.count).split(separator: "-").first.flatMap { Int32($0) }
      if let pid, !ProcessLiveness.isAlive(pid) { unlink(folder.appendingPathComponent(name).path) }
    }
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

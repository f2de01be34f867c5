import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Free space of the device holding a path, as an unprivileged process may use it.
public enum DiskSpace {
  /// Bytes available at `url` (or the nearest existing folder above it); nil when unknown.
  public static func available(at url: URL) -> Int64? {
    var folder = url.standardizedFileURL
    while !FileManager.default.fileExists(atPath: folder.path), folder.path != "/" {
      folder = folder.deletingLastPathComponent()
    }
    var stats = statvfs()
    guard statvfs(folder.path, &stats) == 0 else { return nil }
    return Int64(stats.f_bavail) * Int64(stats.f_frsize)
  }
}

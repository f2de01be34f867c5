import Foundation

extension StagingDirectory {
  /// Deletes the folder at `path` and everything in it with `unlinkat`, relative to descriptors
  /// opened with `O_NOFOLLOW`: a link (which staging never holds) would be removed, not followed.
  /// Returns the errno of the first failure, or 0.
  @discardableResult
  static func removeTree(at path: String) -> Int32 {
    let parent = (path as NSString).deletingLastPathComponent
    let name = (path as NSString).lastPathComponent
    let fd = open(parent.isEmpty ? "." : parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard fd >= 0 else { return errno }
    defer { close(fd) }
    return removeEntry(name, in: fd)
  }

  private static func removeEntry(_ name: String, in parent: Int32) -> Int32 {
    // Most entries are files: try that first, and treat the folder case on EISDIR.
    if unlinkat(parent, name, 0) == 0 { return 0 }
    guard errno == EISDIR else { return errno == ENOENT ? 0 : errno }
    let fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
    guard fd >= 0, let directory = fdopendir(fd) else {
      let code = errno
      if fd >= 0 { close(fd) }
      return code
    }
    var children: [String] = []
    while let entry = readdir(directory) {
      let child = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      if child != "." && child != ".." { children.append(child) }
    }
    var failure: Int32 = 0
    for child in children {
      let code = removeEntry(child, in: fd)
      if failure == 0 { failure = code }
    }
    closedir(directory)
    if unlinkat(parent, name, AT_REMOVEDIR) != 0 && failure == 0 { failure = errno }
    return failure
  }
}

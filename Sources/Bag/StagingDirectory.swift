import Foundation
import Primitives

/// A private folder (mode 0700) that `BagReader` extracts into, and the only place it writes.
///
/// Every file is created with `openat(O_CREAT | O_EXCL | O_NOFOLLOW)` relative to a folder
/// descriptor that was itself opened with `O_NOFOLLOW | O_DIRECTORY`, and every folder with
/// `mkdirat`; since staging never contains a link, no name can lead outside it, and `O_EXCL` turns
/// any second entry for a name (including names the file system folds together) into an error.
final class StagingDirectory {
  let url: URL
  private let descriptor: Int32

  /// Creates `<parent>/pleura-bag-XXXXXX`.
  init(in parent: URL) throws(BagError) {
    var template = Array("\(parent.path)/pleura-bag-XXXXXX".utf8CString)
    guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.address) }) != nil else {
      throw .io(
        path: parent.path, reason: "cannot create a staging folder: \(String(cString: strerror(errno)))")
    }
    let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
    guard fd >= 0 else {
      let reason = String(cString: strerror(errno))
      rmdir(path)
      throw .io(path: path, reason: reason)
    }
    url = URL(filePath: path, directoryHint: .isDirectory)
    descriptor = fd
  }

  deinit { close(descriptor) }

  /// Creates the folder at `components` (and its parents) if missing.
  func makeFolder(_ components: [String], entry: String) throws(BagError) {
    let fd = try openFolder(components, entry: entry)
    if fd != descriptor { close(fd) }
  }

  /// Creates a new file at `components`, creating parent folders; returns a write descriptor.
  func createFile(_ components: [String], entry: String) throws(BagError) -> Int32 {
    let parent = try openFolder(components.dropLast(), entry: entry)
    defer { if parent != descriptor { close(parent) } }
    guard let name = components.last else {
      throw .io(path: "\(url.path)/\(entry)", reason: "the entry has no name")
    }
    let fd = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw failure(entry) }
    return fd
  }

  /// Deletes the staging folder and its content.
  func remove() {
    Self.removeTree(at: url.path)
  }

  private func openFolder(_ components: some Collection<String>, entry: String) throws(BagError) -> Int32 {
    var current = descriptor
    for component in components {
      if mkdirat(current, component, 0o700) != 0 && errno != EEXIST { throw failure(entry) }
      let next = openat(current, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
      let code = errno
      if current != descriptor { close(current) }
      guard next >= 0 else {
        errno = code
        throw failure(entry)
      }
      current = next
    }
    return current
  }

  /// A file that already exists, or a folder where a file is (or the reverse), means two entries
  /// claim the same name.
  private func failure(_ entry: String) -> BagError {
    let code = errno
    if code == EEXIST || code == ENOTDIR || code == ELOOP { return .duplicateEntry(entry: entry) }
    return .io(path: "\(url.path)/\(entry)", reason: String(cString: strerror(code)))
  }
}

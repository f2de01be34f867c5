import Foundation

/// A file or folder that a command will write, checked before any work is done: a mistyped `-o`
/// costs nothing and is refused in one line naming the path and the reason.
struct OutputPath {
  typealias Refused = PathRefused

  /// How the user gave it, for messages: `-o`, `--output`, `FOLDER`.
  var option: String
  var path: String
  var url: URL { URL(fileURLWithPath: path) }

  /// A file to create or replace: its folder must exist and be writable, and it must not be a folder.
  static func file(_ path: String, option: String = "-o") throws -> OutputPath {
    let output = OutputPath(option: option, path: path)
    guard !path.isEmpty else { throw output.refused("no file name given") }
    if output.isDirectory(path) { throw output.refused("is a folder; give a file name inside it") }
    try output.checkWritableFolder(output.url.deletingLastPathComponent().path)
    return output
  }

  /// A folder to write into, created with its parents when missing: the nearest existing folder
  /// above it must be writable, and nothing in the way may be a file.
  static func folder(_ path: String, option: String = "-o") throws -> OutputPath {
    let output = OutputPath(option: option, path: path)
    guard !path.isEmpty else { throw output.refused("no folder name given") }
    var existing = output.url.standardizedFileURL
    while !FileManager.default.fileExists(atPath: existing.path) {
      existing.deleteLastPathComponent()
    }
    guard output.isDirectory(existing.path) else {
      let itself = existing.path == output.url.standardizedFileURL.path
      throw output.refused(itself ? "is a file, not a folder" : "\(existing.path) is a file, not a folder")
    }
    guard access(existing.path, W_OK | X_OK) == 0 else {
      throw output.refused("the folder \(existing.path) is not writable")
    }
    return output
  }

  /// Creates the folder (and its parents).
  func create() throws {
    do {
      try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    } catch {
      throw refused("cannot create the folder (\(Self.reason(of: error)))")
    }
  }

  /// Writes `data` atomically: a failed write leaves no partial file.
  func write(_ data: Data) throws {
    do {
      try data.write(to: url, options: .atomic)
    } catch {
      throw refused("cannot be written (\(Self.reason(of: error)))")
    }
  }

  func refused(_ reason: String) -> Refused { Refused(label: option, path: path, reason: reason) }

  private func isDirectory(_ path: String) -> Bool {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
  }

  private func checkWritableFolder(_ folder: String) throws {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) else {
      throw refused("the folder \(folder) does not exist")
    }
    guard isDirectory.boolValue else { throw refused("\(folder) is a file, not a folder") }
    guard access(folder, W_OK | X_OK) == 0 else { throw refused("the folder \(folder) is not writable") }
  }

  /// The operating system's reason (ENOSPC: "No space left on device"), not Foundation's sentence
  /// about the operation.
  static func reason(of error: any Error) -> String {
    var current = error as NSError
    while true {
      if current.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(current.code))) }
      guard let underlying = current.userInfo[NSUnderlyingErrorKey] as? NSError else { break }
      current = underlying
    }
    return current.localizedDescription
  }
}

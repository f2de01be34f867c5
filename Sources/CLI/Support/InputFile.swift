import Foundation
import Platform

/// A path the user named that cannot be read or written as asked, in one line: the option (or
/// what the path is for), the path, and why.
struct PathRefused: Error, CustomStringConvertible {
  /// `-o`, `--manifest`; empty for a positional argument.
  var label: String
  var path: String
  var reason: String
  var description: String { (label.isEmpty ? "" : label + " ") + "\(path): \(reason)" }
}

/// A file a command reads, checked before any work: a missing path, a folder or a device is
/// refused naming it, not read as an empty file or reported by the library that opens it.
enum InputFile {
  @discardableResult
  static func check(_ path: String, label: String = "") throws -> URL {
    if let problem = FileKind.of(path).problem {
      throw PathRefused(label: label, path: path, reason: problem)
    }
    return URL(fileURLWithPath: path)
  }
}

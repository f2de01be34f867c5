import Foundation
import Platform

/// A one-line progress bar on stderr, drawn only when stderr is a terminal.
enum ProgressBar {
  static func sink() -> ProgressSink {
    guard Terminal.stderrIsTerminal else { return .silent }
    return ProgressSink { label, done, total in
      var line = "\r\(label) \(done)"
      if let total, total > 0 {
        let width = 30
        let filled = min(width, done * width / total)
        line =
          "\r\(label) [" + String(repeating: "#", count: filled)
          + String(repeating: ".", count: width - filled) + "] \(done)/\(total)"
      }
      FileHandle.standardError.write(Data((line + (total == done ? "\n" : "")).utf8))
    }
  }
}

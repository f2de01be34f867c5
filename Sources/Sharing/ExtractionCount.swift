import Foundation
import Platform

/// Counts the files a bundle's extraction has written, for progress: the total is known only
/// once the archive has been read to its end.
final class ExtractionCount: @unchecked Sendable {
  private let progress: ProgressSink
  private let lock = NSLock()
  private var files = 0

  init(progress: ProgressSink) { self.progress = progress }

  func add() {
    let done = lock.withLock {
      files += 1
      return files
    }
    progress("import", done, nil, unit: "files")
  }

  func finish() {
    let done = lock.withLock { files }
    progress("import", done, done, unit: "files")
  }
}

import Foundation
import Platform

/// Progress on stderr, written as it happens (stderr is unbuffered): a bar redrawn in place when
/// stderr is a terminal; otherwise (a pipe, a log file, a job scheduler) a line per finished item
/// and one every few seconds in between; nothing with `--quiet`. Results go to stdout.
enum ProgressOutput {
  static func sink(quiet: Bool) -> ProgressSink {
    if quiet { return .silent }
    let meter = ProgressMeter()
    if Terminal.stderrIsTerminal {
      return ProgressSink { update in
        // Carriage return and erase-line: the bar replaces itself; a finished one stays.
        write("\r\u{1B}[K" + meter.bar(for: update) + (update.isFinished ? "\n" : ""))
      }
    }
    return ProgressSink { update in
      if let line = meter.line(for: update) { write(line + "\n") }
    }
  }

  private static func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
}

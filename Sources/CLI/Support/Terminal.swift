import Foundation
import Platform
import Primitives

/// Where the CLI writes: results to stdout, errors and progress to stderr. Nothing reaches the
/// terminal raw: names from the command line, a damaged catalog or another site's bundle may hold
/// control characters (an escape sequence can rewrite the screen), so they are shown escaped.
enum Terminal {
  static func error(_ message: String) {
    FileHandle.standardError.write(Data(("error: " + escaped(message) + "\n").utf8))
  }

  static func warn(_ message: String) {
    FileHandle.standardError.write(Data((escaped(message) + "\n").utf8))
  }

  /// `text` with every control character but the line breaks shown as `\u{..}`.
  static func escaped(_ text: String) -> String {
    text.split(separator: "\n", omittingEmptySubsequences: false)
      .map { String($0).escaped(limit: nil) }.joined(separator: "\n")
  }

  static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

  /// Prints a table with aligned columns. Cells are shown escaped: names come from catalogs and
  /// bundles of other sites and may hold control characters (stored verbatim, never run).
  static func table(_ header: [String], _ rows: [[String]]) {
    let rows = rows.map { $0.map(\.escapedForMessage) }
    let widths = header.indices.map { column in
      ([header[column]] + rows.map { $0[column] }).map(\.count).max() ?? 0
    }
    func line(_ cells: [String]) -> String {
      cells.enumerated().map { index, cell in
        index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
      }.joined(separator: "  ")
    }
    print(line(header))
    for row in rows { print(line(row)) }
  }
}

import Foundation
import Platform
import Primitives

/// Where the CLI writes: results to stdout, errors and progress to stderr.
enum Terminal {
  static func error(_ message: String) {
    FileHandle.standardError.write(Data(("error: " + message + "\n").utf8))
  }

  static func warn(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
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

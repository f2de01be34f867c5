import Foundation
import GRDB
import TestSupport
import Testing

/// Control characters from the command line or a damaged catalog never reach the terminal raw
/// (an escape sequence can rewrite the screen or the title): they are shown as `\u{1b}`.
@Suite struct ControlBytesCLITests {
  /// ESC (starts a terminal escape sequence), BEL, and CSI (U+009B, an escape on its own).
  static let hostile = "\u{1b}[2J\u{07}\u{9b}31m"

  static func expectNothingRaw(_ result: PleuraCLI.Result, _ shown: String) {
    for (stream, text) in [("stdout", result.stdout), ("stderr", result.stderr)] {
      let raw = text.unicodeScalars.filter { $0.value == 0x1b || $0.value == 0x07 || $0.value == 0x9b }
      #expect(raw.isEmpty, "\(shown) wrote control characters raw to \(stream): \(text.debugDescription)")
    }
  }

  @Test func argumentsAreEchoedEscapedInEveryKindOfError() throws {
    let (cli, videos) = try GuidingErrorsCLITests.catalogWithVideos()
    defer { cli.cleanUp() }
    let cases: [[String]] = [
      [Self.hostile + "transcode"],
      ["show", "vid_" + Self.hostile],
      ["show", Self.hostile],
      ["ingest", "/tmp/no" + Self.hostile + ".mp4", "--patient", "P1", "--label", "present"],
      ["ingest", "scan.mp4", "--patient", "P" + Self.hostile, "--label", "present"],
      ["dataset", "show", "x" + Self.hostile + "@1"],
      ["dataset", "build", Self.hostile],
      ["frame", videos[0], "-o", "/nonexistent/" + Self.hostile + "/x.png"],
      ["roi", "set", videos[0], "--rect", Self.hostile],
      ["plugins", "show", Self.hostile],
      ["run", "ingest", "--param", Self.hostile + "=1"],
      ["bench", "train", "--arch", Self.hostile],
      ["transcode", "--all", "--" + Self.hostile],
    ]
    for arguments in cases {
      let result = try cli.run(arguments, withCatalog: !["plugins", "bench"].contains(arguments[0]))
      let shown = arguments.joined(separator: " ").debugDescription
      #expect(result.status != 0, "\(shown)")
      #expect(result.stderr.contains("\\u{1b}"), "\(shown): \(result.stderr.debugDescription)")
      Self.expectNothingRaw(result, shown)
    }
  }

  @Test func namesFromADamagedCatalogAreShownEscaped() throws {
    let (cli, videos) = try GuidingErrorsCLITests.catalogWithVideos()
    defer { cli.cleanUp() }
    let code = "P" + Self.hostile
    let queue = try DatabaseQueue(path: cli.catalog.appendingPathComponent("catalog.sqlite").path)
    let patient = try queue.write { db -> String in
      let id = try String.fetchOne(db, sql: "SELECT id FROM patient ORDER BY rowid LIMIT 1") ?? ""
      try db.execute(sql: "UPDATE patient SET code = ? WHERE id = ?", arguments: [code, id])
      try db.execute(sql: "UPDATE roi_annotation SET author = ?", arguments: ["author" + Self.hostile])
      try db.execute(
        sql: "UPDATE source_video SET file_name = ?", arguments: ["scan" + Self.hostile + ".mp4"])
      return id
    }
    try queue.close()
    for arguments in [
      ["status"], ["patients"], ["videos"], ["show", patient], ["show", videos[0]], ["lineage", videos[0]],
      ["roi", "export"], ["roi", "history", videos[0]], ["sheet", videos[0], "-o", "/nonexistent/x.png"],
    ] {
      let result = try cli.run(arguments)
      Self.expectNothingRaw(result, arguments.joined(separator: " "))
    }
    // JSON escapes them its own way, and reads back the same text.
    let shown = try cli.run(["show", patient, "--json"])
    Self.expectNothingRaw(shown, "show --json")
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
    #expect((object["fields"] as? [String: Any])?["code"] as? String == code)
  }
}

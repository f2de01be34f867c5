import Foundation
import GRDB
import Platform
import Sharing
import Testing

/// Bundles the randomised import mutation test (`ImportMutationTests`) caught being refused
/// badly, each reduced to the one edit that matters: the refusal must be a clear one-line
/// message naming the file and row, and the catalog and object store must be as before.
@Suite(.serialized) struct ImportRefusalTests {
  /// Exports site A's dataset, applies `edit` to its rows, re-signs it and imports it into an
  /// empty site B; returns the refusal's message after checking that B did not change.
  static func refusal(_ edit: @escaping (inout [String: Any]) throws -> Void) async throws -> String {
    let b = try SiteB()
    defer { b.cleanUp() }
    let edited = b.file("edited.tar.zst")
    try Rebundle.make(from: try await HostileBundleTests.exported(b), to: edited, mutate: edit)
    let before = try b.snapshot()
    let error = try #require(throws: (any Error).self) {
      try BundleImporter(catalog: b.catalog).importBundle(edited)
    }
    #expect(try b.snapshot() == before, "refused with '\(error)' but the catalog changed")
    return String(describing: error)
  }

  /// Sets `field` of row `index` of `file`.
  static func set(_ file: String, _ index: Int, _ field: String, _ value: Any) -> (inout [String: Any]) ->
    Void
  {
    { tables in
      var rows = tables[file] as! [[String: Any]]
      rows[index][field] = value
      tables[file] = rows
    }
  }

  static func isOneCleanLine(_ message: String) -> Bool {
    !message.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F } && message.count < 300
  }

  @Test func aRowValueWithControlCharactersIsShownEscaped() async throws {
    let message = try await Self.refusal(Self.set("site.json", 0, "id", "line\nbreak\u{1B}[2J"))
    #expect(
      message.contains("site.json, row 1") && message.contains("line\\u{a}break\\u{1b}[2J"), "\(message)")
    #expect(Self.isOneCleanLine(message), "\(message.debugDescription)")
  }

  @Test func anUnknownValueIsNamedByWhereItIsNotQuotedWhole() async throws {
    // Foundation's own text for an unknown enum case quotes the value: here 1 MiB and a newline.
    let message = try await Self.refusal(
      Self.set("run.json", 0, "status", String(repeating: "a", count: 1 << 20) + "\n"))
    #expect(message.contains("run.json") && message.contains("status"), "\(message.prefix(300))")
    #expect(
      Self.isOneCleanLine(message), "\(message.count) characters: \(message.prefix(300).debugDescription)")
  }
}

import Foundation
import TestSupport
import Testing

/// One key convention for every JSON output: camelCase, as the listings and the README use.
@Suite(.tags(.slow)) struct JSONKeysCLITests {
  /// Maps whose keys are values (entity kinds, labels, run statuses, patient codes, bag-info
  /// labels), not field names: their keys are shown as the values are.
  static let keyedByValue: Set<String> = [
    "entities", "videosPerLabel", "runsPerStatus", "perLabel", "perPatient", "info",
  ]

  /// The key paths of `json` that are not camelCase.
  static func offendingKeys(_ json: Any, at path: String = "") -> [String] {
    if let array = json as? [Any] { return array.flatMap { offendingKeys($0, at: path + "[]") } }
    guard let object = json as? [String: Any] else { return [] }
    let valueKeyed = keyedByValue.contains(String(path.split(separator: ".").last ?? ""))
    return object.flatMap { key, value -> [String] in
      let camel = key.first?.isLowercase == true && key.allSatisfy { $0.isLetter || $0.isNumber }
      return (camel || valueKeyed ? [] : [path + "." + key]) + offendingKeys(value, at: path + "." + key)
    }
  }

  @Test func keysAreCamelCaseInEveryJSONOutput() async throws {
    let sites = try await TwoSites.shared.sites()
    let a = sites.a
    func first(_ table: String) throws -> String {
      try #require(
        try SQLiteRows.fetch(a.catalog, "SELECT id FROM \(table) ORDER BY rowid LIMIT 1").first?.first)
    }
    let video = try first("source_video")
    let split = try first("split")
    let splitRun = try #require(
      try SQLiteRows.fetch(a.catalog, "SELECT id FROM run WHERE plugin = 'split' LIMIT 1").first?.first)
    var commands: [[String]] = [
      ["status"], ["videos"], ["patients"], ["runs"], ["models"], ["evaluations"], ["dataset", "list"],
      ["dataset", "show", "demo@1"], ["dataset", "diff", "demo@1", "demo@1"], ["split", "show", split],
      ["lineage", sites.model], ["roi", "export"], ["roi", "history", video], ["verify"],
      ["gc", "--dry-run"],
      ["bundle", "show", sites.bundle], ["evaluate", sites.model, "--bootstrap", "20"], ["rerun", splitRun],
      ["split", "demo@1"], ["transcode", "--all"], ["plugins", "list"], ["plugins", "show", "train"],
    ]
    for table in [
      "site", "patient", "source_video", "conversion", "roi_annotation", "dataset", "cube", "split", "model",
      "evaluation", "run",
    ] {
      commands.append(["show", try first(table)])
    }
    for arguments in commands {
      let plugins = arguments.first == "plugins"
      let result = try a.run(arguments + ["--json"], withCatalog: !plugins)
      let shown = arguments.joined(separator: " ")
      #expect(result.status == 0, "\(shown): \(result.stderr)")
      let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
      #expect(Self.offendingKeys(json).isEmpty, "\(shown) --json: \(Self.offendingKeys(json))")
    }
  }
}

import Foundation
import TestSupport
import Testing

/// Tests that need the shared real clips say so with `.enabled(if:)`, which Swift Testing reports
/// as skipped with its reason. `#require` on the folder records a failure when it is absent, and
/// printing "skipped" then returning counts as a pass: neither is a skip.
@Suite struct SkipHygieneTests {
  static let testsFolder = PackageRoot.url.appendingPathComponent("Tests")

  /// The arguments of every `#require(...)` in `text` (parentheses matched).
  static func requireArguments(in text: String) -> [String] {
    var found: [String] = []
    var rest = text[...]
    while let start = rest.range(of: "#require(") {
      var depth = 1
      var index = start.upperBound
      while index < rest.endIndex, depth > 0 {
        if rest[index] == "(" { depth += 1 }
        if rest[index] == ")" { depth -= 1 }
        index = rest.index(after: index)
      }
      found.append(String(rest[start.upperBound..<index]))
      rest = rest[index...]
    }
    return found
  }

  @Test func realClipTestsSkipWithEnabledIfNeverRequireOrPrint() throws {
    let files = try #require(FileManager.default.enumerator(atPath: Self.testsFolder.path))
    var problems: [String] = []
    var checked = 0
    for case let path as String in files
    where path.hasSuffix(".swift") && !path.hasSuffix("SkipHygieneTests.swift") {
      let text = try String(contentsOf: Self.testsFolder.appendingPathComponent(path), encoding: .utf8)
      guard text.contains("real-lus") || text.lowercased().contains("realclips") else { continue }
      checked += 1
      for argument in Self.requireArguments(in: text)
      where argument.contains("real-lus") || argument.lowercased().contains("realclips") {
        problems.append("\(path): #require(\(argument.prefix(60))...)")
      }
      if text.contains("print(\"skipped") { problems.append("\(path): prints \"skipped\" and passes") }
    }
    #expect(checked >= 4, "the real-clip tests were not found under \(Self.testsFolder.path)")
    #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
  }

  @Test func requireArgumentsAreFoundAcrossLines() {
    let text = "try #require(\n  exists(a(b)), \"absent\")\nlet x = try #require(y)"
    #expect(Self.requireArguments(in: text) == ["\n  exists(a(b)), \"absent\")", "y)"])
  }
}

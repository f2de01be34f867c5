import Foundation
import Platform
import Primitives
import Testing

@testable import Sharing

/// The pieces of pseudonymisation: the one-pass token matcher, the JSON string rewriter and the
/// fail-closed check in every encoding it covers.
@Suite struct PseudonymizationTests {
  // MARK: - TokenMatcher

  /// The whole-token rule, written the slow way: every occurrence, then the boundary test.
  static func naiveMatches(_ needles: [String], in text: String) -> Set<[Int]> {
    let folded = Array(text.lowercased().utf8)
    func isWord(_ byte: UInt8) -> Bool { TokenMatcher.isWord(UInt32(byte)) }
    var found: Set<[Int]> = []
    for (index, needle) in needles.enumerated() {
      let bytes = Array(needle.lowercased().utf8)
      guard !bytes.isEmpty, bytes.count <= folded.count else { continue }
      for start in 0...(folded.count - bytes.count)
      where Array(folded[start..<(start + bytes.count)]) == bytes {
        let end = start + bytes.count
        if isWord(bytes[0]), start > 0, isWord(folded[start - 1]) || folded[start - 1] == UInt8(ascii: "-") {
          continue
        }
        if isWord(bytes[bytes.count - 1]), end < folded.count, isWord(folded[end]) { continue }
        found.insert([start, end, index])
      }
    }
    return found
  }

  @Test func theMatcherFindsWhatASlowSearchFinds() {
    var generator = SeededGenerator(seed: 41)
    let alphabet = Array("ab-_ .1")
    func word(_ length: Int) -> String {
      String((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
    }
    for _ in 0..<300 {
      let needles = (0..<Int(1 + generator.next() % 6)).map { _ in word(Int(1 + generator.next() % 4)) }
      let text = word(Int(generator.next() % 40))
      let matcher = TokenMatcher(
        needles.enumerated().map { .init(Array($0.element.utf8), encoding: .utf8, value: $0.offset) })
      let fast = Set(
        matcher.matches(in: Array(text.utf8)).map { [$0.range.lowerBound, $0.range.upperBound, $0.value] })
      #expect(fast == Self.naiveMatches(needles, in: text), "needles \(needles) in '\(text)'")
    }
  }

  @Test func codesAreWholeTokensNotPartsOfLongerOnes() {
    let matcher = TokenMatcher([.init(Array("P-1".utf8), encoding: .utf8, value: 0)])
    for text in ["P-12", "xP-1", "p-p-1", "vid_P-1", "P-1a"] {
      #expect(matcher.matches(in: Array(text.utf8)).isEmpty, "\(text)")
    }
    for text in ["P-1", "\"p-1\"", "P-1.mp4", "a P-1,b", "P-1-left"] {
      #expect(matcher.matches(in: Array(text.utf8)).count == 1, "\(text)")
    }
  }

  // MARK: - The check

  func values(_ entries: [(String, SensitiveValues.Kind)]) -> SensitiveValues {
    var values = SensitiveValues()
    for (value, kind) in entries { values.add(value, kind, replacement: "x-\(value.count)") }
    return values
  }

  @Test(arguments: [String.Encoding.utf8, .utf16LittleEndian, .utf16BigEndian, .utf16])
  func theCheckFindsANoteInEveryEncoding(_ encoding: String.Encoding) throws {
    let note = "Jane Roe born 1970, MRN 123451"
    let text = "{\"summary\":\"seen by the team: JANE ROE BORN 1970, mrn 123451 today\"}"
    let file = (name: "catalog/run.json", data: try #require(text.data(using: encoding)), rows: 1)
    #expect {
      try Pseudonymization.check([file], against: values([(note, .note)]))
    } throws: { error in
      let message = String(describing: error)
      return message.contains("catalog/run.json") && message.contains("a free-text note")
        && !message.contains("Roe")
    }
    #expect(throws: Never.self) {
      try Pseudonymization.check([file], against: values([("Jane Roe born 1971", .note)]))
    }
  }

  @Test func theCheckFindsValuesAsJSONAndCSVEscapeThem() {
    let note = "John \"Johnny\" Doe, ward 7/B\tbed 2"
    let json = Data(JSONStringRewriter.encode(note))
    let csv = Data("1,\"John \"\"Johnny\"\" Doe, ward 7/B\tbed 2\",x".utf8)
    for data in [json, csv] {
      #expect(throws: ExportError.self) {
        try Pseudonymization.check([("f", data, 0)], against: values([(note, .note)]))
      }
    }
  }

  @Test func siteNamesAreReplacedButNotSearchedFor() {
    // A site may be called by a word the format uses ("test" is a split part).
    let part = Data("{\"part\":\"test\"}".utf8)
    #expect(throws: Never.self) {
      try Pseudonymization.check([("split_assignment.json", part, 1)], against: values([("test", .siteName)]))
    }
  }

  @Test func aNoteThatIsALabelNeitherBlocksTheExportNorRewritesLabels() {
    var values = SensitiveValues()
    values.add("Absent", .note, replacement: SensitiveValues.withheld)
    values.add("test", .author, replacement: "a-1")
    #expect(values.entries.isEmpty)
    #expect(values.replacer()(#"{"label":"absent","part":"test"}"#) == #"{"label":"absent","part":"test"}"#)
  }

  @Test func theCheckScalesToAWholeCatalogsValues() throws {
    // 4,000 codes and file names in one automaton (benchmarks/integrity has the speed at 20,000).
    var entries: [(String, SensitiveValues.Kind)] = []
    for index in 0..<2_000 {
      entries.append(("PAT-\(index)", .patientCode))
      entries.append(("scan_of_patient_\(index).mp4", .fileName))
    }
    let values = values(entries)
    var text = String(
      repeating: "{\"patient\":\"p-0123456789abcdef01234567\",\"label\":\"present\"},", count: 5_000)
    #expect(throws: Never.self) {
      try Pseudonymization.check([("cube.json", Data(text.utf8), 0)], against: values)
    }
    text += "\"scan_of_patient_1999.mp4\""
    #expect(throws: ExportError.self) {
      try Pseudonymization.check([("cube.json", Data(text.utf8), 0)], against: values)
    }
  }

  // MARK: - Rewriting

  @Test func theRewriterChangesOnlyStringsAndKeepsNumbersAsWritten() throws {
    let json =
      #"{"lr":0.0001,"big":1e-7,"files":[{"notes":"Jane Roe","path":"Smith_Jane.mp4","patient":"P-1"}],"n":[1,2.50]}"#
    let rewritten = try JSONStringRewriter.rewrite(json, key: { $0 }) { key, value in
      switch key {
      case "notes": ""
      case "path": "vid_1.mp4"
      default: value == "P-1" ? "p-x" : value
      }
    }
    #expect(
      rewritten
        == #"{"lr":0.0001,"big":1e-7,"files":[{"notes":"","path":"vid_1.mp4","patient":"p-x"}],"n":[1,2.50]}"#
    )
    #expect(throws: JSONRewriteError.self) {
      try JSONStringRewriter.rewrite("{\"a\":\"b", key: { $0 }, value: { $1 })
    }
  }

  @Test func applyRewritesSummariesKeysAndSkippedFileNames() throws {
    var values = SensitiveValues()
    values.add("P-1", .patientCode, replacement: "p-1x")
    values.add("Smith_Jane.mp4", .fileName, replacement: "vid_9.mp4")
    let replace = values.replacer()
    let summary =
      #"{"perPatient":{"P-1":4},"skipped":[{"fileName":"Smith_Jane.mp4","reason":"no ROI for smith_jane.mp4 (P-1)"}]}"#
    let rewritten = try JSONStringRewriter.rewrite(summary, key: { values.replacement(ofExactly: $0) ?? $0 })
    {
      replace($1)
    }
    #expect(
      rewritten
        == #"{"perPatient":{"p-1x":4},"skipped":[{"fileName":"vid_9.mp4","reason":"no ROI for vid_9.mp4 (p-1x)"}]}"#
    )
  }
}

import Foundation
import TestSupport
import Testing

/// `roi export` writes a suggestion's confidence; `roi import` reads it back, so a low-confidence box
/// stays marked after it went through a file (and an unchanged file adds no version), and a bad
/// confidence value is refused with the file, the row and the value.
@Suite struct RoiConfidenceRoundTripCLITests {
  /// A catalog with one video whose current ROI is a weak suggestion (confidence 0.2).
  static func catalogWithAWeakSuggestion() throws -> (PleuraCLI, String) {
    let cli = PleuraCLI()
    try cli.run(["init"])
    try cli.run([
      "synthesize", "--patients", "1", "--min-seconds", "0.5", "--max-seconds", "0.6", "--seed", "4",
    ])
    let id = (try cli.json(["videos"]) as! [[String: Any]])[0]["id"] as! String
    let entry =
      #"[{"video":"\#(id)","conversion":"","x":10,"y":20,"width":100,"height":80,"frameStart":-1,"frameEnd":-1,"author":"roi-suggest","confidence":0.2}]"#
    let recorded = try cli.run(["run", "roi", "--param", "entries=\(entry)"])
    #expect(recorded.status == 0, "\(recorded.stderr)")
    return (cli, id)
  }

  @Test(arguments: ["csv", "json"])
  func theConfidenceComesBackOnImport(format: String) throws {
    let (cli, id) = try Self.catalogWithAWeakSuggestion()
    defer { cli.cleanUp() }
    let versions = { try (cli.json(["roi", "history", id]) as! [[String: Any]]).count }
    let before = try versions()
    let exported = try cli.run(["roi", "export"] + (format == "json" ? ["--json"] : []))
    #expect(exported.status == 0, "\(exported.stderr)")
    let file = cli.folder.appendingPathComponent("rois.\(format)")
    try exported.stdout.write(to: file, atomically: true, encoding: .utf8)

    // Unchanged, the file is the current version: nothing new (without the confidence it was a new,
    // unmarked version).
    let same = try cli.run(["roi", "import", file.path])
    #expect(same.status == 0, "\(same.stderr)")
    #expect(try versions() == before)

    // Edited elsewhere, the box comes back as a new version that is still marked low-confidence.
    let edited = exported.stdout.replacingOccurrences(
      of: format == "json" ? "\"x\" : 10" : ",10,20,100,80,",
      with: format == "json" ? "\"x\" : 12" : ",12,20,100,80,")
    #expect(edited != exported.stdout, "the export has the box: \(exported.stdout)")
    try edited.write(to: file, atomically: true, encoding: .utf8)
    let imported = try cli.run(["roi", "import", file.path])
    #expect(imported.status == 0, "\(imported.stderr)")
    #expect(try versions() == before + 1)
    let listed = try #require((try cli.json(["videos"]) as? [[String: Any]])?.first)
    #expect(listed["roiConfidence"] as? Double == 0.2)
    #expect(try cli.run(["roi", "export"]).stdout.contains("12,20,100,80,,,roi-suggest,,0.20,yes"))
  }

  @Test(arguments: ["high", "1.5", "-0.1", "nan"])
  func aBadConfidenceIsRefusedWithItsFileRowAndValue(value: String) throws {
    let (cli, id) = try Self.catalogWithAWeakSuggestion()
    defer { cli.cleanUp() }
    let before = try SQLiteRows.fetch(cli.catalog, "SELECT id, confidence FROM roi_annotation ORDER BY id")
    let file = cli.folder.appendingPathComponent("bad.csv")
    try "video,x,y,width,height,confidence\n\(id),10,20,100,80,0.4\n\(id),12,20,100,80,\(value)\n".write(
      to: file, atomically: true, encoding: .utf8)
    let refused = try cli.run(["roi", "import", file.path])
    #expect(refused.status != 0, "\(refused.stdout)")
    #expect(
      refused.stderr.contains("\(file.path), row 3: confidence '\(value)' is not a number in 0...1"),
      "\(refused.stderr)")
    #expect(refused.stderr.split(separator: "\n").count == 1, "one line: \(refused.stderr)")
    #expect(
      try SQLiteRows.fetch(cli.catalog, "SELECT id, confidence FROM roi_annotation ORDER BY id") == before)
  }
}

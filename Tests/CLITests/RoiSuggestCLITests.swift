import Foundation
import TestSupport
import Testing

/// `roi suggest` with its confidence and reasons, `--apply` above a threshold only, and a low-confidence
/// ROI marked as such wherever an ROI is shown; `synthesize --style`.
@Suite struct RoiSuggestCLITests {
  @Test(.tags(.slow)) func suggestionsCarryAConfidenceAndApplyOnlyAboveTheThreshold() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let made = try cli.run([
      "synthesize", "--patients", "2", "--min-seconds", "1", "--max-seconds", "1.2", "--seed", "3",
    ])
    #expect(made.status == 0, "\(made.stderr)")
    let ids = try (cli.json(["videos"]) as! [[String: Any]]).map { $0["id"] as! String }
    let suggested = try #require(try cli.json(["roi", "suggest"] + ids) as? [[String: Any]])
    #expect(suggested.count == 2)
    for item in suggested {
      let confidence = try #require(item["confidence"] as? Double)
      #expect((0...1).contains(confidence))
      #expect(item["lowConfidence"] as? Bool == (confidence < 0.5))
      #expect(((item["reasons"] as? [String]) ?? []).contains { $0.contains("pleural line at row") })
    }
    let text = try cli.run(["roi", "suggest", ids[0]])
    #expect(
      text.status == 0 && text.stdout.contains("confidence") && text.stdout.contains("  - "), "\(text.stdout)"
    )

    let bad = try cli.run(["roi", "suggest", ids[0], "--apply", "--min-confidence", "1.5"])
    #expect(bad.status == 2 && bad.stderr.contains("1.5"), "\(bad.stderr)")

    // Only suggestions at or above the threshold become ROI versions; the others say why not.
    let versions = { (id: String) in try (cli.json(["roi", "history", id]) as! [[String: Any]]).count }
    let before = try ids.map(versions)
    let applied = try cli.run(["roi", "suggest"] + ids + ["--apply", "--min-confidence", "1"])
    #expect(applied.status == 0, "\(applied.stderr)")
    for (index, item) in suggested.enumerated() {
      let confident = (item["confidence"] as! Double) >= 1
      #expect(try versions(ids[index]) == before[index] + (confident ? 1 : 0))
    }
    if suggested.contains(where: { ($0["confidence"] as! Double) < 1 }) {
      #expect(applied.stdout.contains("not applied: confidence"), "\(applied.stdout)")
    }
  }

  @Test(.enabled(if: Fixtures.ffmpegAvailable, "the ffmpeg CLI is needed to make test videos"))
  func allSuggestsForEveryVideoWithoutAnROIAndLeavesSetOnesAlone() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let neither = try cli.run(["roi", "suggest"])
    #expect(neither.status == 2 && neither.stderr.contains("--all"), "\(neither.stderr)")
    let none = try cli.run(["roi", "suggest", "--all"])
    #expect(
      none.status == 0 && none.stdout.contains("every source video already has an ROI"), "\(none.stdout)")
    for (name, rate, patient) in [("a.mp4", "30", "P1"), ("b.mp4", "25", "P2")] {
      let url = try Fixtures.video(
        in: cli.folder, name: name, size: "320x240", rate: rate, seconds: 1, encoder: ["-c:v", "libx264"])
      #expect(try cli.run(["ingest", url.path, "--patient", patient, "--label", "present"]).status == 0)
    }
    let videos = try (cli.json(["videos"]) as! [[String: Any]]).map { $0["id"] as! String }
    #expect(try cli.run(["roi", "suggest", "--all", videos[0]]).status == 2)
    #expect(try cli.run(["roi", "set", videos[0], "--rect", "10,10,100,80"]).status == 0)
    let listed = try #require(try cli.json(["roi", "suggest", "--all"]) as? [[String: Any]])
    #expect(listed.map { $0["video"] as? String } == [videos[1]], "only the video without an ROI: \(listed)")
  }

  @Test func aLowConfidenceROIIsMarkedWhereverItIsShown() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    try cli.run([
      "synthesize", "--patients", "1", "--min-seconds", "0.5", "--max-seconds", "0.6", "--seed", "4",
    ])
    let id = (try cli.json(["videos"]) as! [[String: Any]])[0]["id"] as! String
    // As `roi suggest --apply --min-confidence 0` would record a weak suggestion.
    let entry =
      #"[{"video":"\#(id)","conversion":"","x":10,"y":20,"width":100,"height":80,"frameStart":-1,"frameEnd":-1,"author":"roi-suggest","confidence":0.2}]"#
    let recorded = try cli.run(["run", "roi", "--param", "entries=\(entry)"])
    #expect(recorded.status == 0 && recorded.stdout.contains("0.20 (low confidence)"), "\(recorded.stderr)")
    #expect(try cli.run(["videos"]).stdout.contains("v2 low confidence (0.20)"))
    let listed = try #require((try cli.json(["videos"]) as? [[String: Any]])?.first)
    #expect(listed["roiConfidence"] as? Double == 0.2)
    #expect(try cli.run(["roi", "history", id]).stdout.contains("0.20 (low confidence)"))
    #expect(try cli.run(["roi", "export"]).stdout.contains(",roi-suggest,,0.20,yes"))
    let picture = cli.folder.appendingPathComponent("roi.png")
    let shown = try cli.run(["roi", "show", id, "-o", picture.path])
    #expect(
      shown.status == 0 && shown.stdout.contains("low confidence") && shown.stdout.contains("dashed in red"))
    let wrong = try cli.run([
      "run", "roi", "--param", "entries=\(entry.replacingOccurrences(of: "0.2}", with: "1.7}"))",
    ])
    #expect(wrong.status != 0 && wrong.stderr.contains("confidence 1.7 is outside 0...1"), "\(wrong.stderr)")
  }

  @Test func synthesizeNamesAStyleItDoesNotKnow() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let before = try SQLiteRows.fetch(cli.catalog, "SELECT count(*) FROM source_video")
    let bad = try cli.run(["synthesize", "--patients", "1", "--style", "bogus"])
    #expect(bad.status == 2 && bad.stderr.contains("'bogus'"), "\(bad.stderr)")
    let probe = try cli.run(["synthesize", "--patients", "1", "--probe", "sector"])
    #expect(probe.status == 2 && probe.stderr.contains("'sector'"), "\(probe.stderr)")
    #expect(try SQLiteRows.fetch(cli.catalog, "SELECT count(*) FROM source_video") == before)
    let classic = try cli.run([
      "synthesize", "--patients", "1", "--min-seconds", "0.5", "--max-seconds", "0.6", "--style", "classic",
    ])
    #expect(classic.status == 0, "\(classic.stderr)")
    let notes = try SQLiteRows.fetch(cli.catalog, "SELECT notes FROM source_video")
    #expect(
      notes.first?.first?.hasPrefix("synthetic, seed") == true, "classic videos keep 1.0.0's notes: \(notes)")
  }
}

import Foundation
import TestSupport
import Testing

/// Rounds of eight different commands at once on one catalog (issue 12, item 3): whatever order
/// they interleave in, the catalog verifies afterwards and holds no entity twice. The short
/// deterministic subset; `benchmarks/concurrency/run.sh` runs many randomised rounds.
@Suite(
  .enabled(if: Fixtures.ffmpegAvailable, "the ffmpeg CLI is needed to make a video to ingest"), .tags(.slow))
struct MixedRoundsCLITests {
  /// What may refuse in a round without anything being wrong: gc while runs are in progress, a
  /// dataset build whose ROIs another command changed while it cut them (it says to plan again).
  static let acceptedRefusals = ["runs are in progress", "the inputs changed since the dataset was planned"]

  @Test func roundsOfEightCommandsAtOnceLeaveAVerifiedCatalogWithoutDuplicates() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try DemoCatalog.copy(into: cli)
    let videos = try #require(try cli.json(["videos"]) as? [[String: Any]])
    let video = try #require(videos.first?["id"] as? String)
    let other = try DemoCatalog.otherSiteBundle()
    let train = ["train", "demo@1", "--width", "0.03125", "--epochs", "1", "--batch", "16"]
    let rounds: [[[String]]] = try (0..<2).map { round in
      let clip = try Fixtures.video(
        in: cli.folder, name: "round\(round).mp4", rate: "\(21 + round)", encoder: ["-c:v", "libx264"])
      return [
        ["ingest", clip.path, "--patient", "R\(round)", "--label", "present"],
        ["transcode", "--all", "--preset", "ultrafast", "--width", "320", "--height", "240"],
        ["roi", "set", video, "--rect", "10,10,\(100 + round),100"],
        ["dataset", "build", "demo"],
        ["split", "demo@1", "--seed", "\(30 + round)"],
        train + ["--seed", "\(round)"],
        ["export", "demo@1", "-o", cli.folder.appendingPathComponent("round\(round).tar.zst").path],
        round == 0 ? ["import", other.path] : ["gc"],
      ]
    }
    for (index, commands) in rounds.enumerated() {
      let results = try commands.map { try cli.start($0) }.map { $0.finish() }
      for (command, result) in zip(commands, results) where result.status != 0 {
        #expect(
          Self.acceptedRefusals.contains { result.stderr.contains($0) },
          "round \(index): \(command.joined(separator: " ")): \(result.stderr)")
      }
      let verify = try cli.run(["verify"])
      #expect(verify.status == 0, "round \(index): \(verify.stdout)\(verify.stderr)")
      #expect(try DemoCatalog.duplicates(in: cli.catalog) == [], "round \(index)")
    }
    // The same round again: every identical run is reused, nothing is made twice.
    let again = try rounds[1].filter { $0[0] != "ingest" && $0[0] != "export" && $0[0] != "roi" }
      .map { try cli.start($0) }.map { $0.finish() }
    for result in again where result.status != 0 {
      #expect(Self.acceptedRefusals.contains { result.stderr.contains($0) }, "\(result.stderr)")
    }
    #expect(try DemoCatalog.duplicates(in: cli.catalog) == [])
    #expect(try cli.run(["verify"]).status == 0)
  }
}

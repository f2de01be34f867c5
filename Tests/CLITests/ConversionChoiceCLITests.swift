import Foundation
import Testing

/// Conversions are never chosen or reused silently: `transcode --force` redoes what it names, the
/// run cache hands back only conversions of the video asked for whose bytes are here, and a
/// recipe takes the conversion parameters it names, choosing among several in a printed way.
@Suite(.enabled(if: Fixtures.ffmpegAvailable, "the ffmpeg CLI is needed to make test videos"))
struct ConversionChoiceCLITests {
  func blobPath(_ cli: PleuraCLI, _ sha: String) -> URL {
    cli.catalog.appendingPathComponent("objects/\(sha.prefix(2))/\(sha)")
  }

  func transcodeRuns(_ cli: PleuraCLI) throws -> Int {
    (try cli.json(["runs"]) as! [[String: Any]]).filter { $0["plugin"] as? String == "transcode" }.count
  }

  @Test func allWithForceConvertsEveryVideoAgain() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let clip = try Fixtures.video(in: cli.folder, name: "a.mp4", encoder: ["-c:v", "libx264"])
    try cli.run(["ingest", clip.path, "--patient", "P1", "--label", "present"])
    #expect(try cli.run(["transcode", "--all", "--preset", "ultrafast"]).status == 0)
    let forced = try cli.run(["transcode", "--all", "--force", "--preset", "ultrafast"])
    #expect(forced.status == 0, "\(forced.stderr)")
    #expect(!forced.stdout.contains("every source video is already converted"), "\(forced.stdout)")
    #expect(forced.stdout.contains("converted again"), "\(forced.stdout)")
    #expect(try transcodeRuns(cli) == 2)
    #expect(try SQLiteRows.fetch(cli.catalog, "SELECT id FROM conversion").count == 1)
  }

  @Test func rerunOfATranscodeRunComparesWhatItMade() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let clip = try Fixtures.video(in: cli.folder, name: "a.mp4", encoder: ["-c:v", "libx264"])
    try cli.run(["ingest", clip.path, "--patient", "P1", "--label", "present"])
    let made = try cli.json(["transcode", "--all", "--preset", "ultrafast"]) as! [String: Any]
    let run = try #require((made["runs"] as? [[String: Any]])?.first?["runID"] as? String)
    let rerun = try cli.run(["rerun", run])
    #expect(rerun.status == 0, "\(rerun.stdout)\(rerun.stderr)")
    #expect(rerun.stdout.contains("outputs are identical"))
  }

  @Test func aMissingConversionBlobIsMadeAgainNotReused() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let clip = try Fixtures.video(in: cli.folder, name: "a.mp4", encoder: ["-c:v", "libx264"])
    try cli.run(["ingest", clip.path, "--patient", "P1", "--label", "present"])
    #expect(try cli.run(["transcode", "--all", "--preset", "ultrafast"]).status == 0)
    let row = try SQLiteRows.fetch(cli.catalog, "SELECT source_video_id, blob_sha256 FROM conversion")[0]
    try FileManager.default.removeItem(at: blobPath(cli, row[1]))
    let again = try cli.run(["transcode", row[0], "--preset", "ultrafast"])
    #expect(again.status == 0, "\(again.stderr)")
    #expect(!again.stdout.contains("reused"), "a run whose output bytes are gone was reused: \(again.stdout)")
    #expect(FileManager.default.fileExists(atPath: blobPath(cli, row[1]).path), "the same bytes are back")
    #expect(try cli.run(["verify"]).status == 0)
  }

  /// The scenario: another site's bundle without conversion bytes, the same clips ingested
  /// here, then `transcode --all`: the local videos get conversions of their own.
  @Test func anotherSitesRunIsNeverReusedForALocalVideo() throws {
    let a = PleuraCLI()
    defer { a.cleanUp() }
    try a.run(["init", "--site-name", "Hospital A"])
    try a.run([
      "synthesize", "--patients", "2", "--min-seconds", "2.1", "--max-seconds", "2.2", "--seed", "4",
    ])
    #expect(try a.run(["transcode", "--all", "--preset", "ultrafast"]).status == 0)
    #expect(try a.run(["dataset", "build", "demo"]).status == 0)
    let bundle = a.folder.appendingPathComponent("demo.tar.zst").path
    #expect(try a.run(["export", "demo@1", "-o", bundle]).status == 0)
    let sources = try SQLiteRows.fetch(a.catalog, "SELECT blob_sha256, file_name FROM source_video")

    let b = PleuraCLI()
    defer { b.cleanUp() }
    try b.run(["init", "--site-name", "Hospital B"])
    #expect(try b.run(["import", bundle]).status == 0)
    for source in sources {
      let copy = b.folder.appendingPathComponent(source[1])
      try FileManager.default.copyItem(at: blobPath(a, source[0]), to: copy)
      #expect(try b.run(["ingest", copy.path, "--patient", "LOCAL1", "--label", "present"]).status == 0)
    }
    let transcode = try b.run(["transcode", "--all", "--preset", "ultrafast"])
    #expect(transcode.status == 0, "\(transcode.stderr)")
    #expect(!transcode.stdout.contains("reused"), "\(transcode.stdout)")
    let local = try SQLiteRows.fetch(
      b.catalog,
      """
      SELECT c.id, c.blob_sha256 FROM conversion c JOIN source_video v ON v.id = c.source_video_id
      JOIN site s ON s.id = v.site_id WHERE s.is_local = 1
      """)
    #expect(local.count == sources.count, "every local video has a conversion of its own")
    for conversion in local {
      #expect(FileManager.default.fileExists(atPath: blobPath(b, conversion[1]).path))
      let frame = b.folder.appendingPathComponent("\(conversion[0]).png").path
      let picture = try b.run(["frame", conversion[0], "--at", "1", "-o", frame])
      #expect(picture.status == 0, "\(picture.stderr)")
    }
  }

  @Test func aRecipeTakesItsConversionParametersAndSaysWhichItChose() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    try cli.run([
      "synthesize", "--patients", "2", "--min-seconds", "2.1", "--max-seconds", "2.2", "--seed", "6",
    ])
    #expect(try cli.run(["transcode", "--all", "--preset", "ultrafast"]).status == 0)
    #expect(try cli.run(["dataset", "build", "demo"]).status == 0)
    // A lossless conversion at the same size and rate is not what the recipe takes (H.264).
    #expect(try cli.run(["transcode", "--all", "--codec", "ffv1"]).status == 0)
    let ffv1 = try cli.run(["dataset", "build", "demo"])
    #expect(ffv1.status == 0 && ffv1.stdout.contains("reused"), "\(ffv1.stdout)\(ffv1.stderr)")
    // A second H.264 conversion matches too: the first made is kept, and the choice is printed.
    #expect(try cli.run(["transcode", "--all", "--preset", "ultrafast", "--crf", "30"]).status == 0)
    let two = try cli.run(["dataset", "build", "demo"])
    #expect(two.status == 0 && two.stdout.contains("reused"), "\(two.stdout)\(two.stderr)")
    #expect(two.stderr.contains("2 conversions match"), "\(two.stderr)")
    #expect(try SQLiteRows.fetch(cli.catalog, "SELECT id FROM dataset").count == 1)
  }
}

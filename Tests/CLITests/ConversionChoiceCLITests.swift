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

  @Test func frameSeeksByTimestampsInAVariableRateClip() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    // 50 frames at 25 fps (2 s), then one frame every 0.5 s up to 51.5 s: 150 frames, nominally
    // 25 fps. Matroska gives each frame the nominal 0.04 s duration: a frame is on screen until
    // the next one starts, not for its duration.
    let clip = cli.folder.appendingPathComponent("vfr.mkv")
    try Fixtures.tool(
      "ffmpeg",
      [
        "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25:duration=6", "-vf",
        "setpts='if(lt(N,50),N/25,2+(N-50)*0.5)/TB'", "-fps_mode", "vfr", "-c:v", "libx264", "-preset",
        "ultrafast", clip.path,
      ])
    let ingest = try cli.run(["ingest", clip.path, "--patient", "P1", "--label", "present"])
    #expect(ingest.status == 0, "\(ingest.stderr)")
    let video = try SQLiteRows.fetch(cli.catalog, "SELECT id FROM source_video")[0][0]
    /// The luma plane, as decoded (no range conversion): a PNG of grey, or a video frame's Y plane.
    func luma(_ arguments: [String], pixelFormat: String) throws -> [UInt8] {
      let bytes = try Fixtures.toolBytes(
        "ffmpeg",
        ["-v", "error"] + arguments + ["-frames:v", "1", "-pix_fmt", pixelFormat, "-f", "rawvideo", "-"])
      return [UInt8](bytes.prefix(160 * 120))
    }
    func difference(_ a: [UInt8], _ b: [UInt8]) -> Double {
      guard a.count == b.count, !a.isEmpty else { return .infinity }
      return Double(zip(a, b).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }) / Double(a.count)
    }
    func lumaOfFrame(_ index: Int) throws -> [UInt8] {
      try luma(
        ["-i", clip.path, "-vf", "select=eq(n\\,\(index))", "-fps_mode", "passthrough"],
        pixelFormat: "yuv420p")
    }
    // (time asked, the frame on screen then, the frame before it): frame 50 + k is at 2 + k/2 s.
    for (at, shown, before) in [("5.2", 56, 55), ("30.2", 106, 105), ("51.51", 149, 148)] {
      let png = cli.folder.appendingPathComponent("at-\(at).png")
      let frame = try cli.run(["frame", video, "--at", at, "-o", png.path])
      #expect(frame.status == 0, "--at \(at): \(frame.stderr)")
      guard frame.status == 0 else { continue }
      let got = try luma(["-i", png.path], pixelFormat: "gray")
      let expected = try lumaOfFrame(shown)
      let earlier = try lumaOfFrame(before)
      #expect(
        difference(got, expected) < 0.5 && difference(got, earlier) > 0.5,
        "--at \(at): \(difference(got, expected)) from frame \(shown), \(difference(got, earlier)) from frame \(before)"
      )
    }
    let past = try cli.run([
      "frame", video, "--at", "60", "-o", cli.folder.appendingPathComponent("x.png").path,
    ])
    #expect(past.status == 1 && past.stderr.contains("ends at 51.5"), "\(past.stderr)")
  }
}

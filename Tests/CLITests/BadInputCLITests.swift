import Foundation
import TestSupport
import Testing

/// Bad input: one clear line naming the file and what is wrong, a non-zero exit, and the
/// catalog exactly as before.
@Suite(.enabled(if: Fixtures.ffmpegAvailable, "the ffmpeg CLI is needed to make test videos"))
struct BadInputCLITests {
  /// Makes a broken file; returns it and the words the message must contain.
  static let brokenFiles: [String] = [
    "zero-bytes", "truncated", "audio-only", "text-as-mp4", "missing", "still-png", "still-jpeg",
    "one-frame-mp4",
  ]

  static func make(_ kind: String, in folder: URL) throws -> (URL, String) {
    switch kind {
    case "zero-bytes":
      let url = folder.appendingPathComponent("empty.mp4")
      _ = FileManager.default.createFile(atPath: url.path, contents: Data())
      return (url, "empty")
    case "truncated":
      let whole = try Fixtures.video(in: folder, name: "whole.mp4", seconds: 2, encoder: ["-c:v", "libx264"])
      let data = try Data(contentsOf: whole)
      let url = folder.appendingPathComponent("truncated.mp4")
      try data.prefix(data.count / 2).write(to: url)
      return (url, "not a readable video")
    case "audio-only":
      let url = folder.appendingPathComponent("sound.m4a")
      try Fixtures.tool(
        "ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", url.path])
      return (url, "no video stream")
    case "text-as-mp4":
      let url = folder.appendingPathComponent("notes.mp4")
      try "these are not frames\n".write(to: url, atomically: true, encoding: .utf8)
      return (url, "not a readable video")
    case "still-png", "still-jpeg":
      // A picture is no clip: it used to go in as a one-frame 25 fps "video".
      let url = folder.appendingPathComponent(kind == "still-png" ? "frame.png" : "frame.jpg")
      try Fixtures.tool(
        "ffmpeg",
        ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=160x120", "-frames:v", "1", url.path])
      return (url, "a still image")
    case "one-frame-mp4":
      let url = folder.appendingPathComponent("one-frame.mp4")
      try Fixtures.tool(
        "ffmpeg",
        [
          "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=160x120", "-frames:v", "1", "-c:v",
          "libx264", url.path,
        ])
      return (url, "a still image")
    default:
      return (folder.appendingPathComponent("nowhere.mp4"), "no such file")
    }
  }

  @Test(arguments: brokenFiles)
  func brokenFileIsRefusedAndTheCatalogUnchanged(kind: String) throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let (file, reason) = try Self.make(kind, in: cli.folder)
    let before = try CatalogSnapshot.take(cli.catalog)
    let result = try cli.run(["ingest", file.path, "--patient", "P1", "--label", "present"])
    #expect(result.status == 1)
    #expect(result.stderr.contains(file.path) && result.stderr.contains(reason), "\(result.stderr)")
    #expect(try CatalogSnapshot.take(cli.catalog) == before)
  }

  @Test func batchStoresTheGoodFilesAndListsTheBadOnes() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let good = try Fixtures.video(in: cli.folder, name: "good.mp4", encoder: ["-c:v", "libx264"])
    let (bad, _) = try Self.make("text-as-mp4", in: cli.folder)
    let result = try cli.run(["ingest", good.path, bad.path, "--patient", "P1", "--label", "present"])
    #expect(result.status == 1)
    #expect(result.stderr.contains("1 of 2") && result.stderr.contains(bad.path))
    #expect((try cli.json(["videos"]) as! [[String: Any]]).map { $0["fileName"] as! String } == ["good.mp4"])
  }

  @Test func allOrNothingStoresNothingWhenOneFails() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let good = try Fixtures.video(in: cli.folder, name: "good.mp4", encoder: ["-c:v", "libx264"])
    let (bad, _) = try Self.make("zero-bytes", in: cli.folder)
    let before = try CatalogSnapshot.take(cli.catalog)
    let result = try cli.run(
      ["ingest", good.path, bad.path, "--patient", "P1", "--label", "present", "--all-or-nothing"])
    #expect(result.status == 1)
    #expect(result.stderr.contains(bad.path) && result.stderr.contains("none was stored"))
    #expect(try CatalogSnapshot.take(cli.catalog) == before)
  }

  @Test func aSiteNameWithControlCharactersIsRefusedAndShownEscaped() throws {
    // The site name travels in every bundle this catalog exports and is printed at other sites.
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    let result = try cli.run(["init", "--site-name", "evil\u{1B}[31mred"])
    #expect(result.status != 0)
    #expect(result.stderr.contains("site name 'evil\\u{1b}[31mred' must be 1 to 200 printable characters"))
    #expect(!result.stderr.contains("\u{1B}") && !result.stdout.contains("\u{1B}"))
    #expect(
      !FileManager.default.fileExists(atPath: cli.catalog.appendingPathComponent("catalog.sqlite").path))
  }

  @Test func badLabelIsAUsageError() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let good = try Fixtures.video(in: cli.folder, name: "good.mp4", encoder: ["-c:v", "libx264"])
    let before = try CatalogSnapshot.take(cli.catalog)
    let result = try cli.run(["ingest", good.path, "--patient", "P1", "--label", "maybe"])
    #expect(result.status == 2)
    #expect(result.stderr.contains("label 'maybe' is not one of present, absent, unknown"))
    #expect(try CatalogSnapshot.take(cli.catalog) == before)
  }

  @Test(arguments: [
    ("path,patient\ngood.mp4,P1\n", "no 'label' column"),
    ("path,patient,label\ngood.mp4,P1,sliding\n", "line 2: label 'sliding'"),
    ("path,patient,label\ngood.mp4,P1,present\ngood.mp4,P1,absent\n", "line 3: good.mp4 is listed again"),
    ("path,patient,label\ngood.mp4,Jane Doe,present\n", "line 2: patient code 'Jane Doe'"),
  ])
  func badManifestIsRefusedNamingTheLine(manifest: String, message: String) throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    _ = try Fixtures.video(in: cli.folder, name: "good.mp4", encoder: ["-c:v", "libx264"])
    let csv = cli.folder.appendingPathComponent("manifest.csv")
    try manifest.write(to: csv, atomically: true, encoding: .utf8)
    let before = try CatalogSnapshot.take(cli.catalog)
    let result = try cli.run(["ingest", "--manifest", csv.path])
    #expect(result.status == 2)
    #expect(result.stderr.contains(message), "\(result.stderr)")
    #expect(try CatalogSnapshot.take(cli.catalog) == before)
  }
}

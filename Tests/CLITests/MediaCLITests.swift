import Foundation
import GRDB
import TestSupport
import Testing

/// `transcode`, `synthesize`, pictures and `roi` end to end, checked by the ffmpeg tools.
@Suite(.enabled(if: Fixtures.ffmpegAvailable, "the ffmpeg CLI is needed to make and check test videos"))
struct MediaCLITests {
  func blobPath(_ cli: PleuraCLI, _ sha: String) -> URL {
    cli.catalog.appendingPathComponent("objects/\(sha.prefix(2))/\(sha)")
  }

  @Test func transcodeMakesTheStudysFormatAndASecondAllIsANoOp() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let avi = try Fixtures.video(
      in: cli.folder, name: "wide.avi", size: "854x480", rate: "54", seconds: 2,
      encoder: ["-c:v", "mpeg4", "-q:v", "5"])
    let mp4 = try Fixtures.video(
      in: cli.folder, name: "odd.mp4", size: "148x141", rate: "187000/9789", seconds: 2,
      encoder: ["-c:v", "libx264", "-pix_fmt", "yuv444p"])
    try cli.run(["ingest", avi.path, mp4.path, "--patient", "P1", "--label", "present"])
    let first = try cli.run(["transcode", "--all", "--preset", "ultrafast"])
    #expect(first.status == 0, "\(first.stderr)")
    let rows = try SQLiteRows.fetch(
      cli.catalog, "SELECT blob_sha256, duration_seconds, frame_count FROM conversion")
    #expect(rows.count == 2)
    for row in rows {
      let probe = try Fixtures.ffprobe(blobPath(cli, row[0]))
      #expect(probe.codec == "h264" && probe.width == 640 && probe.height == 480)
      #expect(probe.rate == "30/1")
      #expect(probe.frames == Int(row[2]))
      let expected = (Double(row[1])! * 30).rounded()
      #expect(abs(Double(probe.frames) - expected) <= 1)
    }
    let second = try cli.run(["transcode", "--all", "--preset", "ultrafast"])
    #expect(second.status == 0 && second.stdout.contains("already converted"))
    let runs = try cli.json(["runs"]) as! [[String: Any]]
    #expect(runs.filter { $0["plugin"] as? String == "transcode" }.count == 2)
  }

  @Test func damagedSourceFailsItsRunNamingTheFrameWhileOthersConvert() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let whole = try Fixtures.video(
      in: cli.folder, name: "whole.mp4", seconds: 4,
      encoder: ["-c:v", "libx264", "-g", "25", "-movflags", "+faststart"])
    var data = try Data(contentsOf: whole)
    for i in (data.count / 2)..<(data.count / 2 + 4000) { data[i] = UInt8(truncatingIfNeeded: i &* 7919) }
    let damaged = cli.folder.appendingPathComponent("damaged.mp4")
    try data.write(to: damaged)
    let good = try Fixtures.video(in: cli.folder, name: "good.mp4", encoder: ["-c:v", "libx264"])
    let ingest = try cli.run(["ingest", damaged.path, good.path, "--patient", "P1", "--label", "absent"])
    try #require(ingest.status == 0, "the damaged file was refused at ingest: \(ingest.stderr)")
    let result = try cli.run(["transcode", "--all", "--preset", "ultrafast"])
    #expect(result.status == 1)
    #expect(result.stderr.contains("damaged.mp4") && result.stderr.contains("frame"), "\(result.stderr)")
    let conversions = try SQLiteRows.fetch(
      cli.catalog, "SELECT v.file_name FROM conversion c JOIN source_video v ON v.id = c.source_video_id")
    #expect(conversions.map { $0[0] } == ["good.mp4"])
    let runs = try cli.json(["runs"]) as! [[String: Any]]
    #expect(runs.contains { $0["plugin"] as? String == "transcode" && $0["status"] as? String == "failed" })
    #expect(try cli.run(["verify"]).status == 0)
  }

  @Test(.tags(.slow)) func synthesizedVideosGivePicturesOfTheRightSize() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let made = try cli.run([
      "synthesize", "--patients", "2", "--min-seconds", "1", "--max-seconds", "1.5", "--seed", "3",
    ])
    #expect(made.status == 0, "\(made.stderr)")
    let videos = try cli.json(["videos"]) as! [[String: Any]]
    #expect(Set(videos.map { $0["label"] as! String }) == ["present", "absent"])
    let video = videos[0]
    let id = video["id"] as! String
    let (width, frames) = (video["width"] as! Int, video["frames"] as! Int)
    let frame = cli.folder.appendingPathComponent("frame.png")
    #expect(try cli.run(["frame", id, "--at", "0.5", "-o", frame.path]).status == 0)
    #expect(try Fixtures.ffprobe(frame).width == width)
    let mmode = cli.folder.appendingPathComponent("mmode.png")
    #expect(try cli.run(["mmode", id, "-o", mmode.path]).status == 0)
    #expect(try Fixtures.ffprobe(mmode).width == frames, "time runs left to right, one column per frame")
    let sheet = cli.folder.appendingPathComponent("sheet.png")
    #expect(try cli.run(["sheet", id, "-o", sheet.path]).status == 0)
    #expect(try Fixtures.ffprobe(sheet).codec == "png")
    let outside = try cli.run(["mmode", id, "--column", "\(width + 5)", "-o", mmode.path])
    #expect(outside.status == 2 && outside.stderr.contains("\(width)"))
    // The same seed gives the same videos, byte for byte.
    let other = PleuraCLI()
    defer { other.cleanUp() }
    try other.run(["init"])
    try other.run([
      "synthesize", "--patients", "2", "--min-seconds", "1", "--max-seconds", "1.5", "--seed", "3",
    ])
    let hashes = { (cli: PleuraCLI) in
      try (cli.json(["videos"]) as! [[String: Any]]).map { $0["sha256"] as! String }.sorted()
    }
    #expect(try hashes(cli) == hashes(other))
  }

  @Test func roiCommandsSetImportExportAndRefuseWithTheFrameSize() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let file = try Fixtures.video(
      in: cli.folder, name: "scan.mp4", size: "320x240", encoder: ["-c:v", "libx264"])
    try cli.run(["ingest", file.path, "--patient", "P1", "--label", "present"])
    let id = (try cli.json(["videos"]) as! [[String: Any]])[0]["id"] as! String
    let before = try CatalogSnapshot.take(cli.catalog)
    let bad = try cli.run(["roi", "set", id, "--rect", "300,10,40,40"])
    #expect(bad.status == 2 && bad.stderr.contains("320x240"), "\(bad.stderr)")
    #expect(try CatalogSnapshot.take(cli.catalog) == before)
    #expect(try cli.run(["roi", "set", id, "--rect", "10,20,200,150", "--author", "dr.a"]).status == 0)
    let csv = cli.folder.appendingPathComponent("rois.csv")
    try "video,x,y,width,height,author\nscan.mp4,12,22,180,120,dr.b\n".write(
      to: csv, atomically: true, encoding: .utf8)
    let imported = try cli.run(["roi", "import", csv.path])
    #expect(imported.status == 0, "\(imported.stderr)")
    let history = try cli.json(["roi", "history", id]) as! [[String: Any]]
    #expect(history.map { $0["version"] as! Int } == [1, 2])
    #expect(history.map { $0["author"] as! String } == ["dr.a", "dr.b"])
    let export = try cli.run(["roi", "export"])
    #expect(export.stdout.contains("\(id),scan.mp4,2,12,22,180,120"))
    let overlay = cli.folder.appendingPathComponent("overlay.png")
    #expect(try cli.run(["roi", "show", id, "-o", overlay.path]).status == 0)
    #expect(try Fixtures.ffprobe(overlay).width == 320)
    try "video,x,y,width,height\nnobody.mp4,1,1,5,5\n".write(to: csv, atomically: true, encoding: .utf8)
    let unknown = try cli.run(["roi", "import", csv.path])
    #expect(unknown.status == 2 && unknown.stderr.contains("row 2") && unknown.stderr.contains("nobody.mp4"))
  }

  @Test(.tags(.slow)) func datasetBuildSplitAndExportEndToEnd() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    try cli.run([
      "synthesize", "--patients", "4", "--min-seconds", "2.1", "--max-seconds", "2.3", "--seed", "5",
    ])
    // The same seed names the same patients: one present and one absent video more for SYN-5-001
    // give it both labels, which `split` keeps whole and `split show` marks.
    for absentFraction in ["0", "1"] {
      try cli.run([
        "synthesize", "--patients", "1", "--min-seconds", "2.1", "--max-seconds", "2.3", "--seed", "5",
        "--absent-fraction", absentFraction,
      ])
    }
    #expect(try cli.run(["transcode", "--all", "--preset", "ultrafast"]).status == 0)
    let build = try cli.run(["dataset", "build", "demo"])
    #expect(build.status == 0 && build.stdout.contains("demo@1"), "\(build.stderr)")
    let again = try cli.run(["dataset", "build", "demo"])
    #expect(again.stdout.contains("reused"))
    let list = try cli.json(["dataset", "list"]) as! [[String: Any]]
    #expect(list.map { $0["reference"] as! String } == ["demo@1"])
    let show = try cli.run(["dataset", "show", "demo@1"])
    #expect(show.stdout.contains("per label:") && show.stdout.contains("TILES/CLIP"))
    let split = try cli.run(["split", "demo@1"])
    #expect(split.status == 0 && split.stdout.contains("train"))
    #expect(split.stdout.contains("1 with both labels"), "\(split.stdout)")
    let made = try cli.json(["split", "demo@1"]) as! [String: Any]
    let splitID = try #require((made["outputs"] as? [[String: Any]])?.first?["id"] as? String)
    let shown = try cli.run(["split", "show", splitID])
    #expect(shown.status == 0 && shown.stdout.contains("LABEL") && shown.stdout.contains("LABELS"))
    let mixed = shown.stdout.split(separator: "\n").filter { $0.contains("SYN-5-001") }
    #expect(mixed.count == 1 && mixed[0].hasSuffix("absent+present"), "\(shown.stdout)")
    let folder = cli.folder.appendingPathComponent("npy")
    #expect(try cli.run(["dataset", "export-npy", "demo@1", folder.path]).status == 0)
    #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("meta.csv").path))
    let missing = try cli.run(["dataset", "show", "nothing@3"])
    #expect(missing.status == 1 && missing.stderr.contains("no dataset nothing@3"))
    let badRecipe = try cli.run(["dataset", "build", "no_such_recipe"])
    #expect(badRecipe.status == 2 && badRecipe.stderr.contains("all_30x30"))
  }
}

/// Reads rows straight from a catalog's database, as text.
enum SQLiteRows {
  static func fetch(_ catalog: URL, _ sql: String) throws -> [[String]] {
    var configuration = Configuration()
    configuration.readonly = true
    let queue = try DatabaseQueue(
      path: catalog.appendingPathComponent("catalog.sqlite").path, configuration: configuration)
    return try queue.read { db in
      try Row.fetchAll(db, sql: sql).map { row in row.databaseValues.map { "\($0.storage.value ?? "")" } }
    }
  }
}

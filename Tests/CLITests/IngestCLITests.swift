import Foundation
import TestSupport
import Testing

/// `pleura ingest` end to end: every format ingest accepts, probed as ffprobe sees it.
@Suite(.enabled(if: Fixtures.ffmpegAvailable, "the ffmpeg CLI is needed to make test videos"))
struct IngestCLITests {
  static let formats: [(name: String, encoder: [String])] = [
    ("h264.mp4", ["-c:v", "libx264", "-pix_fmt", "yuv420p"]),
    ("mpeg4.avi", ["-c:v", "mpeg4", "-q:v", "5"]),
    ("mjpeg.avi", ["-c:v", "mjpeg", "-q:v", "5"]),
    ("clip.gif", ["-c:v", "gif"]),
    ("clip.mov", ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-f", "mov"]),
    ("mpeg2.mpg", ["-c:v", "mpeg2video", "-f", "mpeg"]),
  ]

  @Test(arguments: formats.map(\.name))
  func probeMatchesFFprobe(format: String) throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let encoder = Self.formats.first { $0.name == format }!.encoder
    let file = try Fixtures.video(in: cli.folder, name: format, size: "148x141", rate: "25", encoder: encoder)
    let result = try cli.run(["ingest", file.path, "--patient", "P001", "--label", "present"])
    #expect(result.status == 0, "\(result.stderr)")
    let videos = try cli.json(["videos"]) as! [[String: Any]]
    #expect(videos.count == 1)
    let expected = try Fixtures.ffprobe(file)
    let video = videos[0]
    #expect(video["codec"] as? String == expected.codec)
    #expect(video["width"] as? Int == expected.width)
    #expect(video["height"] as? Int == expected.height)
    #expect(video["frames"] as? Int == expected.frames)
    #expect(video["label"] as? String == "present")
    #expect(video["patient"] as? String == "P001")
    #expect(video["fileName"] as? String == format)
    let (num, den) = (expected.rate.split(separator: "/")[0], expected.rate.split(separator: "/")[1])
    let reduced = Double(num)! / Double(den)!
    let fps = (video["fps"] as! String).split(separator: "/").map { Double($0)! }
    #expect(abs(fps[0] / fps[1] - reduced) < 1e-9)
  }

  @Test(.tags(.realClips), .enabled(if: RealClips.available, RealClips.absent))
  func realClipsProbeAsFFprobeSeesThem() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let names = ["Reg_Image_18122_crop.mp4", "Pneu_prospective_file3.mp4", "Reg_pat1Image_132943.mpeg"]
    let files = names.map { RealClips.folder.appendingPathComponent($0).path }
    let result = try cli.run(["ingest"] + files + ["--patient", "REAL1", "--label", "unknown"])
    #expect(result.status == 0, "\(result.stderr)")
    let videos = try cli.json(["videos"]) as! [[String: Any]]
    let byName = Dictionary(uniqueKeysWithValues: videos.map { ($0["fileName"] as! String, $0) })
    let reg = try #require(byName["Reg_Image_18122_crop.mp4"])
    #expect(reg["width"] as? Int == 208 && reg["height"] as? Int == 208)
    #expect(reg["fps"] as? String == "187000/9789")
    #expect(reg["frames"] as? Int == 187)
    let mpeg = try #require(byName["Reg_pat1Image_132943.mpeg"])
    #expect(mpeg["codec"] as? String == "mpeg2video")
    #expect(mpeg["frames"] as? Int == 280, "the MPEG-2 header has no frame count: decoded and counted")
    #expect(mpeg["fps"] as? String == "25/1")
    for name in names {
      let expected = try Fixtures.ffprobe(RealClips.folder.appendingPathComponent(name))
      #expect(byName[name]?["frames"] as? Int == expected.frames, "\(name)")
    }
  }

  @Test func sameBytesTwiceAreOneVideo() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let file = try Fixtures.video(in: cli.folder, name: "a.mp4", encoder: ["-c:v", "libx264"])
    let copy = cli.folder.appendingPathComponent("copy-of-a.mp4")
    try FileManager.default.copyItem(at: file, to: copy)
    #expect(try cli.run(["ingest", file.path, "--patient", "P1", "--label", "absent"]).status == 0)
    let second = try cli.run(["ingest", copy.path, "--patient", "P1", "--label", "absent"])
    #expect(second.status == 0)
    #expect(second.stdout.contains("already in the catalog"))
    #expect((try cli.json(["videos"]) as! [Any]).count == 1)
  }

  @Test func knownBytesWithAnotherPatientOrLabelAreRefusedNamingBoth() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let file = try Fixtures.video(in: cli.folder, name: "a.mp4", encoder: ["-c:v", "libx264"])
    let copy = cli.folder.appendingPathComponent("copy-of-a.mp4")
    try FileManager.default.copyItem(at: file, to: copy)
    #expect(try cli.run(["ingest", file.path, "--patient", "P1", "--label", "absent"]).status == 0)
    let before = try CatalogSnapshot.take(cli.catalog)
    let label = try cli.run(["ingest", copy.path, "--patient", "P1", "--label", "present"])
    #expect(label.status == 1)
    #expect(label.stderr.contains("copy-of-a.mp4"), "\(label.stderr)")
    #expect(
      label.stderr.contains("label absent") && label.stderr.contains("label present"), "\(label.stderr)")
    #expect(label.stderr.contains("nothing was stored"), "\(label.stderr)")
    let patient = try cli.run(["ingest", copy.path, "--patient", "P2", "--label", "absent"])
    #expect(patient.status == 1)
    #expect(
      patient.stderr.contains("patient P1") && patient.stderr.contains("patient P2"), "\(patient.stderr)")
    #expect(try CatalogSnapshot.take(cli.catalog) == before, "a refused ingest changed the catalog")
    let same = try cli.run(["ingest", copy.path, "--patient", "P1", "--label", "absent"])
    #expect(same.status == 0 && same.stdout.contains("already in the catalog"), "\(same.stderr)")
  }

  @Test func manifestPathsAreRelativeToTheCSV() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let sub = cli.folder.appendingPathComponent("videos")
    try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
    _ = try Fixtures.video(in: sub, name: "one.avi", encoder: ["-c:v", "mpeg4"])
    _ = try Fixtures.video(in: sub, name: "two.mp4", rate: "30", encoder: ["-c:v", "libx264"])
    let manifest = sub.appendingPathComponent("list.csv")
    try "path,patient,label,notes\none.avi,P1,present,\"left, upper\"\ntwo.mp4,P2,absent,\n".write(
      to: manifest, atomically: true, encoding: .utf8)
    let result = try cli.run(["ingest", "--manifest", manifest.path])
    #expect(result.status == 0, "\(result.stderr)")
    let patients = try cli.json(["patients"]) as! [[String: Any]]
    #expect(patients.map { $0["code"] as! String } == ["P1", "P2"])
    let status = try cli.json(["status"]) as! [String: Any]
    #expect((status["videosPerLabel"] as! [String: Int]) == ["present": 1, "absent": 1, "unknown": 0])
  }

  @Test func runsAreRecordedWithoutFolderNames() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let secret = cli.folder.appendingPathComponent("Jane_Doe_records")
    try FileManager.default.createDirectory(at: secret, withIntermediateDirectories: true)
    let file = try Fixtures.video(in: secret, name: "scan.mp4", encoder: ["-c:v", "libx264"])
    #expect(try cli.run(["ingest", file.path, "--patient", "P1", "--label", "present"]).status == 0)
    let dump = try CatalogSnapshot.take(cli.catalog).joined(separator: "\n")
    #expect(!dump.contains("Jane_Doe"), "a folder name above the file reached the catalog")
    #expect(dump.contains("scan.mp4"))
  }
}

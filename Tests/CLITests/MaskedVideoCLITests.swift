import Foundation
import Testing

/// `pleura ingest VIDEO --mask X,Y,W,H`: an ordinary video with a burned-in banner is stored as a
/// masked lossless re-encode; the original's hash is kept so it is recognised when given again.
@Suite(.enabled(if: Fixtures.ffmpegAvailable, "the ffmpeg CLI is needed to make test videos"))
struct MaskedVideoCLITests {
  @Test func aMaskedVideoIsStoredAsALosslessReencode() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let video = try Fixtures.video(
      in: cli.folder, name: "banner.mp4", size: "160x120", encoder: ["-c:v", "libx264"])
    let ingest = try cli.run([
      "ingest", video.path, "--patient", "P1", "--label", "present", "--mask", "0,0,160,20",
    ])
    #expect(ingest.status == 0 && ingest.stdout.contains("lossless FFV1 re-encode"), "\(ingest.stderr)")
    let videos = try #require(try cli.json(["videos"]) as? [[String: Any]])
    #expect(videos.first?["codec"] as? String == "ffv1")
    #expect(videos.first?["fileName"] as? String == "banner.mkv")
    let original = try Data(contentsOf: video)
    let objects = cli.catalog.appendingPathComponent("objects")
    for path in try FileManager.default.subpathsOfDirectory(atPath: objects.path) {
      let file = objects.appendingPathComponent(path)
      #expect((try? Data(contentsOf: file)) != original, "the original was stored")
    }
    let id = try #require(videos.first?["id"] as? String)
    let png = cli.folder.appendingPathComponent("frame.png")
    #expect(try cli.run(["frame", id, "--at", "0.5", "-o", png.path]).status == 0)
    let again = try cli.run([
      "ingest", video.path, "--patient", "P1", "--label", "present", "--mask", "0,0,160,20",
    ])
    #expect(again.stdout.contains("already in the catalog"), "\(again.stdout)")
    // The same original under another patient is refused naming both (issue 11).
    let otherPatient = try cli.run([
      "ingest", video.path, "--patient", "P2", "--label", "present", "--mask", "0,0,160,20",
    ])
    #expect(
      otherPatient.status == 1 && otherPatient.stderr.contains("patient P1")
        && otherPatient.stderr.contains("patient P2"), "\(otherPatient.stderr)")
    let outside = try cli.run([
      "ingest", video.path, "--patient", "P1", "--label", "present", "--mask", "500,0,10,10",
    ])
    #expect(outside.status == 1 && outside.stderr.contains("lies outside the 160x120 frame"))
  }
}

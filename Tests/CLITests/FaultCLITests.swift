import Foundation
import Testing

/// Faults a real deployment meets: concurrent writers, a process killed mid-run, a blob changed
/// behind the catalog's back.
@Suite(.enabled(if: Fixtures.ffmpegAvailable, "the ffmpeg CLI is needed to make test videos"))
struct FaultCLITests {
  @Test func twoIngestsAtOnceBothSucceed() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let files = try (0..<6).map { index in
      try Fixtures.video(
        in: cli.folder, name: "v\(index).mp4", rate: "\(20 + index)", encoder: ["-c:v", "libx264"])
    }
    let first = try cli.start(
      ["ingest"] + files[0..<3].map(\.path) + ["--patient", "A", "--label", "present"])
    let second = try cli.start(
      ["ingest"] + files[3...].map(\.path) + ["--patient", "B", "--label", "absent"])
    let results = [first.finish(), second.finish()]
    for result in results {
      #expect(result.status == 0, "\(result.stderr)")
      #expect(!result.stderr.contains("locked"))
    }
    #expect((try cli.json(["videos"]) as! [Any]).count == 6)
    #expect(try cli.run(["verify"]).status == 0)
  }

  @Test func runKilledPartWayLeavesAVerifiableCatalogAndCanBeRepeated() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let file = try Fixtures.video(in: cli.folder, name: "slow.mp4", encoder: ["-c:v", "libx264"])
    let arguments = ["ingest", file.path, "--patient", "P1", "--label", "present"]
    let victim = try cli.start(arguments, environment: ["PLEURA_DEBUG_PAUSE_BEFORE_COMMIT": "60"])
    // Wait until the run is recorded and its blob written, then kill it without warning.
    var running = false
    for _ in 0..<200 where !running {
      Thread.sleep(forTimeInterval: 0.05)
      let runs = (try? cli.json(["runs"]) as? [[String: Any]]) ?? []
      running = runs.contains { $0["status"] as? String == "running" }
    }
    try #require(running, "the run never started")
    kill(victim.process.processIdentifier, SIGKILL)
    _ = victim.finish()

    let verify = try cli.run(["verify"])
    #expect(verify.status == 0, "\(verify.stderr)")
    #expect((try cli.json(["videos"]) as! [Any]).isEmpty, "the killed run left an entity behind")
    let runs = try cli.json(["runs"]) as! [[String: Any]]
    #expect(runs.count == 1 && runs[0]["status"] as? String == "failed")
    #expect((runs[0]["error"] as? String)?.contains("interrupted") == true)

    let again = try cli.run(arguments)
    #expect(again.status == 0, "\(again.stderr)")
    #expect((try cli.json(["videos"]) as! [Any]).count == 1)
  }

  @Test func verifyNamesABlobChangedOnDisk() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let file = try Fixtures.video(in: cli.folder, name: "scan.mp4", encoder: ["-c:v", "libx264"])
    try cli.run(["ingest", file.path, "--patient", "P1", "--label", "present"])
    #expect(try cli.run(["verify"]).status == 0)
    let video = (try cli.json(["videos"]) as! [[String: Any]])[0]
    let sha = video["sha256"] as! String
    let blob = cli.catalog.appendingPathComponent("objects/\(sha.prefix(2))/\(sha)")
    chmod(blob.path, 0o644)
    let handle = try FileHandle(forWritingTo: blob)
    try handle.seek(toOffset: 100)
    handle.write(Data([0xFF, 0x00, 0xFF]))
    try handle.close()
    let result = try cli.run(["verify"])
    #expect(result.status == 1)
    #expect(result.stderr.contains(sha) && result.stderr.contains("scan.mp4"), "\(result.stderr)")
  }
}

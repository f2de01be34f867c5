import Foundation
import TestSupport
import Testing

/// Issue 12, item 12: deleting `catalog.sqlite-wal` and `-shm` while a command runs loses the
/// commits they held. SQLite cannot tell; `verify` must at least not say ok, and name the blobs
/// the lost rows referenced.
@Suite(.enabled(if: Fixtures.ffmpegAvailable, "the ffmpeg CLI is needed to make test videos"))
struct LostCommitCLITests {
  @Test func verifyReportsTheBlobsOfACommitLostWithTheWAL() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let slow = try Fixtures.video(in: cli.folder, name: "slow.mp4", encoder: ["-c:v", "libx264"])
    let lost = try Fixtures.video(in: cli.folder, name: "lost.mp4", rate: "20", encoder: ["-c:v", "libx264"])
    // A command holding the catalog open keeps the next commit in the WAL (no checkpoint on close).
    let holder = try cli.start(
      ["ingest", slow.path, "--patient", "P1", "--label", "present"],
      environment: ["PLEURA_DEBUG_PAUSE_BEFORE_COMMIT": "60"])
    defer {
      kill(holder.process.processIdentifier, SIGKILL)
      _ = holder.finish()
    }
    var running = false
    for _ in 0..<200 where !running {
      Thread.sleep(forTimeInterval: 0.05)
      let runs = (try? cli.json(["runs"]) as? [[String: Any]]) ?? []
      running = runs.contains { $0["status"] as? String == "running" }
    }
    try #require(running, "the holding run never started")
    let ingest = try cli.run(["ingest", lost.path, "--patient", "P2", "--label", "absent"])
    try #require(ingest.status == 0, "\(ingest.stderr)")
    let sha = try #require((try cli.json(["videos"]) as? [[String: Any]])?.first?["sha256"] as? String)

    for name in ["catalog.sqlite-wal", "catalog.sqlite-shm"] {
      try FileManager.default.removeItem(at: cli.catalog.appendingPathComponent(name))
    }
    kill(holder.process.processIdentifier, SIGKILL)
    _ = holder.finish()

    #expect((try cli.json(["videos"]) as? [Any])?.isEmpty == true, "the commit was not lost after all")
    let verify = try cli.run(["verify"])
    #expect(verify.status == 1, "verify said ok after losing a committed ingest: \(verify.stdout)")
    #expect(verify.stderr.contains("orphan blob \(sha)"), "\(verify.stderr)")
  }
}

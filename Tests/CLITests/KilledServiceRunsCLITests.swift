import Foundation
import TestSupport
import Testing

/// `kill -9` of an export or an import (issue 12, item 11): the run is recorded like any other
/// and marked interrupted on the next open, and the export's hidden partial file is removed.
@Suite(.tags(.slow)) struct KilledServiceRunsCLITests {
  static let pause = "PLEURA_DEBUG_PAUSE_BEFORE_COMMIT"

  @Test func anExportKilledPartWayIsMarkedInterruptedAndItsPartialFileRemoved() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try DemoCatalog.copy(into: cli)
    let out = cli.folder.appendingPathComponent("out")
    try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
    let bundle = out.appendingPathComponent("demo.tar.zst")
    let victim = try cli.start(["export", "demo@1", "-o", bundle.path], environment: [Self.pause: "60"])
    try waitUntil("the export is running with its partial file written") {
      try Self.running("export", cli: cli) && !Self.partialFiles(in: out).isEmpty
    }
    kill(victim.process.processIdentifier, SIGKILL)
    _ = victim.finish()
    #expect(!Self.partialFiles(in: out).isEmpty, "the kill came too late to leave a partial file")

    let runs = try #require(try cli.json(["runs"]) as? [[String: Any]])
    let export = try #require(runs.first { $0["plugin"] as? String == "export" })
    #expect(export["status"] as? String == "failed")
    #expect((export["error"] as? String)?.contains("interrupted") == true)
    #expect(Self.partialFiles(in: out) == [], "the partial file of the killed export is still there")
    #expect(!FileManager.default.fileExists(atPath: bundle.path))

    let again = try cli.run(["export", "demo@1", "-o", bundle.path])
    #expect(again.status == 0, "\(again.stderr)")
    #expect(try cli.run(["verify"]).status == 0)
  }

  @Test func anImportKilledPartWayIsMarkedInterruptedAndCanBeRepeated() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let bundle = try DemoCatalog.bundle()
    let victim = try cli.start(["import", bundle.path], environment: [Self.pause: "60"])
    try waitUntil("the import is running with its blobs moved in") {
      try Self.running("import", cli: cli) && ConcurrentRunsCLITests.blobFiles(in: cli.catalog) > 0
    }
    kill(victim.process.processIdentifier, SIGKILL)
    _ = victim.finish()

    let runs = try #require(try cli.json(["runs"]) as? [[String: Any]])
    #expect(runs.count == 1 && runs.first?["plugin"] as? String == "import")
    #expect(runs.first?["status"] as? String == "failed")
    #expect((runs.first?["error"] as? String)?.contains("interrupted") == true)
    #expect((try cli.json(["dataset", "list"]) as? [Any])?.isEmpty == true)
    // The blobs it moved in are named by no row: gc takes them, and the import can be repeated.
    #expect(try cli.run(["gc"]).status == 0)
    #expect(ConcurrentRunsCLITests.blobFiles(in: cli.catalog) == 0)
    let again = try cli.run(["import", bundle.path])
    #expect(again.status == 0 && again.stdout.contains("imported"), "\(again.stderr)")
    #expect(try cli.run(["verify"]).status == 0)
  }

  static func running(_ plugin: String, cli: PleuraCLI) throws -> Bool {
    try ConcurrentRunsCLITests.running(plugin, cli: cli)
  }

  static func partialFiles(in folder: URL) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter {
      $0.contains(".partial-")
    }
  }
}

import Foundation
import Testing

/// `init`, `status`, `show`, `lineage`, `plugins`, `run`, `gc` and exit codes, end to end.
@Suite struct CatalogCLITests {
  @Test func initCreatesTheCatalogOnceAndStatusIsEmpty() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    let first = try cli.run(["init", "--site-name", "north"])
    #expect(first.status == 0 && first.stdout.contains("site north"))
    let second = try cli.run(["init"])
    #expect(second.status == 1 && second.stderr.contains("already exists"))
    let status = try cli.json(["status"]) as! [String: Any]
    #expect(status["site"] as? String == "north")
    #expect((status["entities"] as! [String: Int])["source_video"] == 0)
  }

  @Test func catalogComesFromTheEnvironmentWhenNotGiven() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    let env = ["PLEURA_CATALOG": cli.catalog.path]
    #expect(try cli.run(["init"], environment: env, withCatalog: false).status == 0)
    #expect(FileManager.default.fileExists(atPath: cli.catalog.appendingPathComponent("catalog.sqlite").path))
    #expect(try cli.run(["status"], environment: env, withCatalog: false).status == 0)
  }

  @Test func commandsOnAMissingCatalogSaySo() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    let result = try cli.run(["status"])
    #expect(result.status == 1)
    #expect(result.stderr.hasPrefix("error: no catalog at"))
  }

  @Test func unknownPluginsAndParametersAreUsageErrors() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let plugin = try cli.run(["run", "ingset"])
    #expect(plugin.status == 2 && plugin.stderr.contains("did you mean 'ingest'"))
    let parameter = try cli.run(["run", "ingest", "--param", "file=x"])
    #expect(parameter.status == 2 && parameter.stderr.contains("did you mean 'files'"))
    let nothing = try cli.run(["run", "ingest"])
    #expect(nothing.status == 1 && nothing.stderr.contains("nothing to ingest"))
    #expect(try cli.run(["frobnicate"]).status == 2)
  }

  @Test func pluginsShowPrintsParametersWithTypesAndDefaults() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    let list = try cli.run(["plugins"], withCatalog: false)
    #expect(list.status == 0 && list.stdout.contains("ingest"))
    let show = try cli.run(["plugins", "show", "ingest", "--json"], withCatalog: false)
    let object = try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as! [String: Any]
    let parameters = object["parameters"] as! [[String: Any]]
    #expect(parameters.first?["name"] as? String == "files")
    #expect(parameters.first?["type"] as? String == "list")
  }

  @Test(.enabled(if: Fixtures.ffmpegAvailable, "the ffmpeg CLI is needed to make test videos"))
  func runByNameShowAndLineageReachTheSourceFile() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let file = try Fixtures.video(in: cli.folder, name: "scan.mp4", encoder: ["-c:v", "libx264"])
    let files = #"[{"path":"\#(file.path)","patient":"P7","label":"absent","notes":""}]"#
    let run = try cli.run(["run", "ingest", "--param", "files=\(files)", "--json"])
    #expect(run.status == 0, "\(run.stderr)")
    let outcome = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as! [String: Any]
    let outputs = outcome["outputs"] as! [[String: Any]]
    let videoID = try #require(outputs.first { $0["kind"] as? String == "source_video" }?["id"] as? String)

    let show = try cli.run(["show", String(videoID.prefix(12))])
    #expect(show.status == 0 && show.stdout.contains("fileName: scan.mp4"))
    let lineage = try cli.run(["lineage", videoID])
    #expect(lineage.stdout.contains("scan.mp4") && lineage.stdout.contains("<- ingest 1.1.0"))
    let tree = try cli.json(["lineage", videoID]) as! [String: Any]
    #expect((tree["madeBy"] as? [String: Any])?["plugin"] as? String == "ingest")
    #expect(try cli.run(["show", "vid_0000"]).status == 1)
  }

  @Test func gcDryRunListsAndGcRemovesUnreferencedBlobs() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let sha = String(repeating: "ab", count: 32)
    let folder = cli.catalog.appendingPathComponent("objects/ab")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    try Data("orphan".utf8).write(to: folder.appendingPathComponent(sha))
    let dry = try cli.run(["gc", "--dry-run"])
    #expect(dry.stdout.contains("would remove unreferenced blob \(sha)"))
    #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(sha).path))
    let real = try cli.run(["gc"])
    #expect(real.status == 0 && real.stdout.contains("removed unreferenced blob"))
    #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent(sha).path))
  }
}

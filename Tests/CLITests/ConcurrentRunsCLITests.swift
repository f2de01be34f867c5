import Foundation
import TestSupport
import Testing

/// Identical work started at once on one catalog (issue 12, items 1 and 2): an import that loses
/// the race to an identical one ends as a no-op and loses nothing; identical runs make their
/// outputs once. The races are made certain with the commit pause hook; the loops without it are
/// the everyday case (`benchmarks/concurrency/run.sh` runs them 50 times).
@Suite(.tags(.slow)) struct ConcurrentRunsCLITests {
  static let pause = "PLEURA_DEBUG_PAUSE_BEFORE_COMMIT"

  @Test func anImportThatLosesTheRaceToTheSameBundleIsANoOpAndKeepsEveryBlob() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let bundle = try DemoCatalog.bundle()
    let blobs = try Self.blobsIncluded(in: bundle, cli: cli)
    // The first import moves its blobs in, then waits before its transaction.
    let first = try cli.start(["import", bundle.path], environment: [Self.pause: "4"])
    try waitUntil("the first import has moved its blobs in") { Self.blobFiles(in: cli.catalog) == blobs }
    let second = try cli.run(["import", bundle.path])
    #expect(second.status == 0 && second.stdout.contains("imported"), "\(second.stderr)")
    let late = first.finish()
    #expect(late.status == 0 && late.stdout.contains("already imported"), "\(late.stderr)")
    #expect(!late.stderr.contains("SQLite"))
    #expect(Self.blobFiles(in: cli.catalog) == blobs, "the late import removed blobs the first committed")
    let verify = try cli.run(["verify"])
    #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    let runs = try #require(try cli.json(["runs"]) as? [[String: Any]])
    #expect(runs.filter { $0["plugin"] as? String == "import" }.count == 1)
  }

  @Test(arguments: [2, 2, 4])
  func importsOfOneBundleStartedTogetherEndAsOneImportAndNoOps(processes: Int) throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let bundle = try DemoCatalog.bundle()
    let started = try (0..<processes).map { _ in try cli.start(["import", bundle.path]) }
    let results = started.map { $0.finish() }
    for result in results {
      #expect(result.status == 0, "\(result.stderr)")
      #expect(!result.stderr.contains("SQLite"), "\(result.stderr)")
    }
    #expect(results.filter { $0.stdout.contains("already imported") }.count == processes - 1)
    let verify = try cli.run(["verify"])
    #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
  }

  @Test func aSplitStartedWhileAnIdenticalOneWorksWaitsAndReusesIt() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try DemoCatalog.copy(into: cli)
    let arguments = ["split", "demo@1", "--seed", "8"]
    let first = try cli.start(arguments, environment: [Self.pause: "3"])
    try waitUntil("the first split is running") { try Self.running("split", cli: cli) }
    let second = try cli.run(arguments)
    let firstResult = first.finish()
    #expect(firstResult.status == 0 && second.status == 0, "\(firstResult.stderr)\(second.stderr)")
    #expect(second.stderr.contains("waiting"), "\(second.stderr)")
    #expect(try DemoCatalog.duplicates(in: cli.catalog) == [])
  }

  @Test func aTrainingStartedWhileAnIdenticalOneWorksWaitsAndReusesIt() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try DemoCatalog.copy(into: cli)
    let arguments = ["train", "demo@1", "--width", "0.03125", "--epochs", "1", "--batch", "16"]
    let first = try cli.start(arguments, environment: [Self.pause: "3"])
    try waitUntil("the first training is running") { try Self.running("train", cli: cli) }
    let second = try cli.run(arguments)
    let firstResult = first.finish()
    #expect(firstResult.status == 0 && second.status == 0, "\(firstResult.stderr)\(second.stderr)")
    #expect((try cli.json(["models"]) as? [Any])?.count == 1)
    #expect(try DemoCatalog.duplicates(in: cli.catalog) == [])
  }

  @Test func identicalRunsStartedTogetherMakeTheirOutputsOnce() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try DemoCatalog.copy(into: cli)
    let commands =
      Array(repeating: ["split", "demo@1", "--seed", "9"], count: 3)
      + Array(
        repeating: ["train", "demo@1", "--width", "0.03125", "--epochs", "1", "--batch", "16"], count: 2)
    let results = try commands.map { try cli.start($0) }.map { $0.finish() }
    for result in results { #expect(result.status == 0, "\(result.stderr)") }
    #expect(try DemoCatalog.duplicates(in: cli.catalog) == [])
    #expect(try cli.run(["verify"]).status == 0)
  }

  // MARK: - Helpers

  static func running(_ plugin: String, cli: PleuraCLI) throws -> Bool {
    let runs = (try? cli.json(["runs"]) as? [[String: Any]]) ?? []
    return runs.contains { $0["plugin"] as? String == plugin && $0["status"] as? String == "running" }
  }

  /// Blob files in the store (not counting staging).
  static func blobFiles(in catalog: URL) -> Int {
    let objects = catalog.appendingPathComponent("objects")
    let folders = (try? FileManager.default.contentsOfDirectory(atPath: objects.path)) ?? []
    return folders.filter { $0 != "staging" }.reduce(0) { count, folder in
      count
        + ((try? FileManager.default.contentsOfDirectory(atPath: objects.appendingPathComponent(folder).path))?
          .count ?? 0)
    }
  }

  static func blobsIncluded(in bundle: URL, cli: PleuraCLI) throws -> Int {
    let show = try cli.json(["bundle", "show", bundle.path]) as? [String: Any]
    let counts = try #require(show?["counts"] as? [String: Int])
    return try #require(counts["blobsIncluded"])
  }
}

/// Polls `condition` (at most a minute): for states another process reaches in its own time.
func waitUntil(_ what: String, _ condition: () throws -> Bool) throws {
  for _ in 0..<1200 {
    if try condition() { return }
    Thread.sleep(forTimeInterval: 0.05)
  }
  try #require(try condition(), "never happened: \(what)")
}

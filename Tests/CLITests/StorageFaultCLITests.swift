import Foundation
import TestSupport
import Testing

/// A read-only catalog folder, a read-only `objects/` and a full disk (issue 12, item 9): each is
/// told in one line saying what is wrong and where, never as SQLite's or Foundation's error codes;
/// commands that only read work on a catalog that cannot be written; nothing is lost.
@Suite(.serialized, .tags(.slow)) struct StorageFaultCLITests {
  static let rawErrors = ["SQLite error", "NSCocoaErrorDomain", "Error Domain", "errno"]

  static func expectOneClearLine(_ result: PleuraCLI.Result, saying words: String, _ command: String) {
    #expect(result.status == 1, "\(command): exit \(result.status)")
    #expect(result.stderr.contains(words), "\(command): \(result.stderr)")
    for raw in rawErrors { #expect(!result.stderr.contains(raw), "\(command): \(result.stderr)") }
  }

  @Test(
    .enabled(
      if: StorageFaults.canMakeReadOnly, "cannot make a read-only folder here (root without mount rights)"))
  func aReadOnlyCatalogFolderIsReadAndRefusesWritesInOneLine() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try DemoCatalog.copy(into: cli)
    let video = try #require((try cli.json(["videos"]) as? [[String: Any]])?.first?["id"] as? String)
    let before = try CatalogSnapshot.take(cli.catalog)
    let undo = try StorageFaults.readOnly(cli.catalog)
    defer { undo() }

    for command in [
      ["status"], ["verify"], ["videos"], ["patients"], ["runs"], ["dataset", "list"],
      ["dataset", "show", "demo@1"],
      ["models"], ["show", video], ["lineage", video], ["roi", "history", video],
      ["bundle", "verify", try DemoCatalog.bundle().path],
    ] {
      let result = try cli.run(command)
      #expect(result.status == 0, "\(command.joined(separator: " ")): \(result.stderr)")
    }
    for command in [["split", "demo@1", "--seed", "11"], ["gc"], ["import", try DemoCatalog.bundle().path]] {
      Self.expectOneClearLine(
        try cli.run(command), saying: "the catalog folder \(cli.catalog.path) is read-only",
        command.joined(separator: " "))
    }
    undo()
    #expect(try CatalogSnapshot.take(cli.catalog) == before)
  }

  @Test(
    .enabled(
      if: StorageFaults.canMakeReadOnly, "cannot make a read-only folder here (root without mount rights)"))
  func aReadOnlyBlobStoreStillExportsAndVerifiesAndRefusesWritesInOneLine() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try DemoCatalog.copy(into: cli)
    let objects = cli.catalog.appendingPathComponent("objects")
    let undo = try StorageFaults.readOnly(objects)
    defer { undo() }

    let bundle = cli.folder.appendingPathComponent("out.tar.zst").path
    let export = try cli.run(["export", "demo@1", "-o", bundle])
    #expect(export.status == 0, "\(export.stderr)")
    let verify = try cli.run(["bundle", "verify", bundle])
    #expect(verify.status == 0, "\(verify.stderr)")
    #expect(try cli.run(["verify"]).status == 0)
    for command in [
      ["train", "demo@1", "--width", "0.03125", "--epochs", "1", "--batch", "16"],
      ["synthesize", "--patients", "1", "--seed", "9"], ["import", try DemoCatalog.bundle().path],
    ] {
      Self.expectOneClearLine(
        try cli.run(command), saying: "the blob store \(objects.path) is read-only",
        command.joined(separator: " "))
    }
    undo()
    #expect(try cli.run(["verify"]).status == 0)
    #expect(try DemoCatalog.duplicates(in: cli.catalog) == [])
  }

  @Test(.enabled(if: StorageFaults.canMountTmpfs, "a full disk needs root to mount a small tmpfs"))
  func aFullDiskIsToldInOneLineAndLosesNothing() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    let (disk, unmount) = try StorageFaults.smallDisk(megabytes: 24)
    defer { unmount() }
    let catalog = disk.appendingPathComponent("catalog")
    func run(_ arguments: [String]) throws -> PleuraCLI.Result {
      try cli.run(arguments + ["--catalog", catalog.path], withCatalog: false)
    }
    #expect(try run(["init"]).status == 0)
    let made = try run([
      "synthesize", "--patients", "2", "--seed", "3", "--min-seconds", "2", "--max-seconds", "2",
    ])
    #expect(made.status == 0, "\(made.stderr)")
    let videos = try #require(
      try JSONSerialization.jsonObject(with: Data(try run(["videos", "--json"]).stdout.utf8)) as? [Any])
    let filler = try StorageFaults.fill(disk)

    for command in [
      ["synthesize", "--patients", "1", "--seed", "4", "--min-seconds", "2", "--max-seconds", "2"],
      ["transcode", "--all", "--preset", "ultrafast"],
    ] {
      let result = try run(command)
      #expect(result.status == 1, "\(command.joined(separator: " ")): exit \(result.status)")
      #expect(
        result.stderr.contains("no space left on the device holding the catalog folder \(catalog.path)"),
        "\(command.joined(separator: " ")): \(result.stderr)")
      for raw in Self.rawErrors { #expect(!result.stderr.contains(raw), "\(result.stderr)") }
    }
    try FileManager.default.removeItem(at: filler)
    let verify = try run(["verify"])
    #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    let after =
      try JSONSerialization.jsonObject(with: Data(try run(["videos", "--json"]).stdout.utf8)) as? [Any]
    #expect(after?.count == videos.count)
  }

  @Test(.enabled(if: StorageFaults.canMountTmpfs, "a small disk needs root to mount a small tmpfs"))
  func aBundleLargerThanTheFreeSpaceIsRefusedBeforeItsBlobsAreWritten() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    let (disk, unmount) = try StorageFaults.smallDisk(megabytes: 16)
    defer { unmount() }
    let catalog = disk.appendingPathComponent("catalog")
    #expect(try cli.run(["init", "--catalog", catalog.path], withCatalog: false).status == 0)
    let before = try CatalogSnapshot.take(catalog)
    let result = try cli.run(
      ["import", try DemoCatalog.bundle().path, "--catalog", catalog.path], withCatalog: false)
    #expect(result.status == 1)
    #expect(result.stderr.contains("bytes, but the device holding"), "\(result.stderr)")
    for raw in Self.rawErrors { #expect(!result.stderr.contains(raw), "\(result.stderr)") }
    #expect(try CatalogSnapshot.take(catalog) == before)
  }
}

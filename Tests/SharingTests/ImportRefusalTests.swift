import Foundation
import GRDB
import Platform
import Sharing
import Testing

/// Bundles the randomised import mutation test (`ImportMutationTests`) caught being refused
/// badly or imported wrongly, each reduced to the one edit that matters: a refusal must be a
/// clear one-line message naming the file and row, with the catalog and object store as before;
/// an import must leave a catalog that verifies.
@Suite(.serialized) struct ImportRefusalTests {
  /// Exports site A's dataset, applies `edit` to its rows, re-signs it and imports it into an
  /// empty site B; returns the refusal's message after checking that B did not change.
  static func refusal(_ edit: @escaping (inout [String: Any]) throws -> Void) async throws -> String {
    let b = try SiteB()
    defer { b.cleanUp() }
    let edited = b.file("edited.tar.zst")
    try Rebundle.make(from: try await HostileBundleTests.exported(b), to: edited, mutate: edit)
    let before = try b.snapshot()
    let error = try #require(throws: (any Error).self) {
      try BundleImporter(catalog: b.catalog).importBundle(edited)
    }
    #expect(try b.snapshot() == before, "refused with '\(error)' but the catalog changed")
    return String(describing: error)
  }

  /// Sets `field` of row `index` of `file`.
  static func set(
    _ file: String, _ index: Int, _ field: String, _ value: any Sendable
  ) -> @Sendable (inout [String: Any]) -> Void {
    { tables in
      var rows = tables[file] as! [[String: Any]]
      rows[index][field] = value
      tables[file] = rows
    }
  }

  static func isOneCleanLine(_ message: String) -> Bool {
    !message.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F } && message.count < 300
  }

  @Test func aRowValueWithControlCharactersIsShownEscaped() async throws {
    let message = try await Self.refusal(Self.set("site.json", 0, "id", "line\nbreak\u{1B}[2J"))
    #expect(
      message.contains("site.json, row 1") && message.contains("line\\u{a}break\\u{1b}[2J"), "\(message)")
    #expect(Self.isOneCleanLine(message), "\(message.debugDescription)")
  }

  @Test func anUnknownValueIsNamedByWhereItIsNotQuotedWhole() async throws {
    // Foundation's own text for an unknown enum case quotes the value: here 1 MiB and a newline.
    let message = try await Self.refusal(
      Self.set("run.json", 0, "status", String(repeating: "a", count: 1 << 20) + "\n"))
    #expect(message.contains("run.json") && message.contains("status"), "\(message.prefix(300))")
    #expect(
      Self.isOneCleanLine(message), "\(message.count) characters: \(message.prefix(300).debugDescription)")
  }

  /// A row the schema refuses: before the row checks knew these rules, SQLite refused it inside
  /// the transaction with a constraint error that named no file or row.
  struct SchemaCase: Sendable, CustomTestStringConvertible {
    let label: String
    let edit: @Sendable (inout [String: Any]) -> Void
    let mentions: String
    var testDescription: String { label }
  }

  /// Copies `field` of row 1 of `file` into row 0.
  static func copy(_ file: String, _ fields: String...) -> @Sendable (inout [String: Any]) -> Void {
    { tables in
      var rows = tables[file] as! [[String: Any]]
      for field in fields { rows[0][field] = rows[1][field] }
      tables[file] = rows
    }
  }

  static let schemaCases: [SchemaCase] = [
    SchemaCase(
      label: "a site that claims to be local", edit: set("site.json", 0, "isLocal", true),
      mentions: "site.json, row 1: it claims to be this catalog's own site"),
    SchemaCase(
      label: "a split of an unknown site", edit: set("split.json", 0, "siteId", "site_00000000deadbeef"),
      mentions: "split.json, row 1: siteId site_00000000deadbeef is neither"),
    SchemaCase(
      label: "a conversion of an unknown site",
      edit: set("conversion.json", 0, "siteId", "site_00000000deadbeef"),
      mentions: "conversion.json, row 1: siteId"),
    SchemaCase(
      label: "an ROI of an unknown site",
      edit: set("roi_annotation.json", 0, "siteId", "site_00000000deadbeef"),
      mentions: "roi_annotation.json, row 1: siteId"),
    SchemaCase(
      label: "a patient in a split twice",
      edit: { tables in
        let rows = tables["split_assignment.json"] as! [[String: Any]]
        tables["split_assignment.json"] = rows + [rows[0]]
      }, mentions: "split_assignment.json, row 5: another row has the same split and patient"),
    SchemaCase(
      label: "two videos of one blob", edit: copy("source_video.json", "blobSha256"),
      mentions: "source_video.json, row 2: another row has the same site and blob"),
    SchemaCase(
      label: "two conversions of a video with the same parameters",
      edit: copy("conversion.json", "sourceVideoId", "parametersJson"),
      mentions: "conversion.json, row 2: another row has the same video and parameters"),
    SchemaCase(
      label: "two ROI version 1 of a video", edit: copy("roi_annotation.json", "sourceVideoId"),
      mentions: "roi_annotation.json, row 2: another row has the same video and version"),
    SchemaCase(
      label: "a negative ROI origin", edit: set("roi_annotation.json", 0, "y", -1),
      mentions: "roi_annotation.json, row 1: a count, position or index (-1) is out of range"),
    SchemaCase(
      label: "a negative duration", edit: set("source_video.json", 0, "durationSeconds", -2.5),
      mentions: "source_video.json, row 1: duration -2.5 s is out of range"),
    SchemaCase(
      label: "a negative cube tile row", edit: set("cube.json", 0, "tileRow", -1),
      mentions: "cube.json, row 1: a count, position or index (-1)"),
    SchemaCase(
      label: "an ROI that supersedes another video's",
      edit: { tables in
        var rows = tables["roi_annotation.json"] as! [[String: Any]]
        rows[0]["supersedesId"] = rows[1]["id"]
        tables["roi_annotation.json"] = rows
      }, mentions: "which is not an earlier version for the same video"),
  ]

  @Test(arguments: schemaCases)
  func aRowTheSchemaRefusesIsRefusedByTheRowChecks(_ schema: SchemaCase) async throws {
    let message = try await Self.refusal(schema.edit)
    #expect(message.contains(schema.mentions), "\(message)")
    #expect(!message.contains("SQLite"), "\(message)")
  }

  /// Replaces every string value found in `renamed`, in every table.
  static func rename(_ tables: inout [String: Any], _ renamed: [String: String]) {
    func rename(_ value: Any) -> Any {
      switch value {
      case let text as String: renamed[text] ?? text
      case let array as [Any]: array.map(rename)
      case let object as [String: Any]: object.mapValues(rename)
      default: value
      }
    }
    tables = tables.mapValues(rename)
  }

  /// Makes the rows the dataset's version 2 from the same sources: new ids for the dataset, its
  /// cubes and splits (and the ids in `renaming`), everywhere they are referenced.
  static func makeNextVersion(_ tables: inout [String: Any], renaming: [String: String] = [:]) {
    var renamed = renaming
    for (file, kind) in [("dataset.json", EntityKind.dataset), ("cube.json", .cube), ("split.json", .split)] {
      for row in tables[file] as! [[String: Any]] { renamed[row["id"] as! String] = kind.newID() }
    }
    rename(&tables, renamed)
    var datasets = tables["dataset.json"] as! [[String: Any]]
    datasets[0]["version"] = 2
    tables["dataset.json"] = datasets
  }

  @Test(arguments: ["conversion.json", "roi_annotation.json"])
  func aKnownEntityUnderANewIdIsAConflictOfThePlan(file: String) async throws {
    // The dataset's next version, in which one entity this catalog already has (from the first
    // version) carries another id: its unique key clashes with the row already here.
    let b = try SiteB()
    defer { b.cleanUp() }
    let first = try await HostileBundleTests.exported(b)
    _ = try BundleImporter(catalog: b.catalog).importBundle(first)
    let next = b.file("next.tar.zst")
    try Rebundle.make(from: first, to: next) { tables in
      let entity = (tables[file] as! [[String: Any]])[0]["id"] as! String
      Self.makeNextVersion(&tables, renaming: [entity: EntityKind.of(id: entity)!.newID()])
    }
    let before = try b.snapshot()
    let error = try #require(throws: ImportError.self) {
      try BundleImporter(catalog: b.catalog).importBundle(next)
    }
    #expect(error.description.contains("is already here under another id"), "\(error)")
    #expect(try b.snapshot() == before)
  }

  @Test func aTransactionThatFailsLeavesTheObjectStoreAsItWas() async throws {
    // Rows the checks and the plan accept can still fail to commit (a full disk, a lock, a bug);
    // a trigger stands in for that here, refusing the import's own run row, the last one written
    // after every blob has moved in. The moved blobs go again, and so must the folders they made.
    let b = try SiteB()
    defer { b.cleanUp() }
    let bundle = try await HostileBundleTests.exported(b)
    try await b.catalog.database.write { db in
      try db.execute(
        sql: """
          CREATE TRIGGER refuse_imports BEFORE INSERT ON run WHEN NEW.plugin = 'import'
          BEGIN SELECT RAISE(ABORT, 'the disk said no'); END
          """)
    }
    let before = try b.snapshot()
    #expect(throws: DatabaseError.self) { try BundleImporter(catalog: b.catalog).importBundle(bundle) }
    let after = try b.snapshot()
    #expect(after == before, "gained \(Set(after).subtracting(before).sorted())")
  }

  @Test func aCubeWhoseBoundsMultiplyPastInt64IsRefusedNotACrash() async throws {
    // Each value is within its own bound; their product (the cube's end in its shard) is not
    // within Int64, and the check that it lies inside the shard trapped on the overflow.
    let message = try await Self.refusal { tables in
      var cubes = tables["cube.json"] as! [[String: Any]]
      cubes[0]["shardIndex"] = 100_000_000
      cubes[0]["frames"] = 100_000
      cubes[0]["size"] = 4096
      tables["cube.json"] = cubes
    }
    #expect(
      message.contains("cube.json, row 1: cube 100000000 lies beyond the end of its shard"), "\(message)")
  }

  @Test func aBlobSizeClaimedWithoutItsBytesYieldsToTheBytes() async throws {
    // A bundle may say a blob stayed at home and give it any size: nothing here can check it. When
    // a later bundle ships the bytes, the row must take their size, or `verify` calls them damaged.
    let b = try SiteB()
    defer { b.cleanUp() }
    let honest = try await HostileBundleTests.exported(b)
    var sidecar = ""
    let claiming = b.file("claiming.tar.zst")
    try Rebundle.make(from: honest, to: claiming) { tables in
      let shards = Set((tables["cube.json"] as! [[String: Any]]).map { $0["shardSha256"] as! String })
      var blobs = tables["blob.json"] as! [[String: Any]]
      let index = blobs.firstIndex { $0["stored"] as! Bool && !shards.contains($0["sha256"] as! String) }!
      sidecar = blobs[index]["sha256"] as! String
      blobs[index]["stored"] = false
      blobs[index]["size"] = blobs[index]["size"] as! Int + 1000
      tables["blob.json"] = blobs
    }
    _ = try BundleImporter(catalog: b.catalog).importBundle(claiming)
    let next = b.file("next.tar.zst")
    try Rebundle.make(from: honest, to: next) { tables in Self.makeNextVersion(&tables) }
    _ = try BundleImporter(catalog: b.catalog).importBundle(next)
    let report = try CatalogVerifier.run(b.catalog)
    #expect(report.ok, "\(report.problems)")
    #expect(try b.catalog.blobs.read(sidecar, of: "a test").count > 0)
  }
}

import Foundation
import GRDB
import Media
import Platform
import Sharing
import Testing

/// Rows of a re-signed bundle that local input would refuse (issue 12, item 7): every row an
/// import accepts passes the rules local input passes (`RecordRules`), so each is refused with
/// the file and row named, and the catalog is left as it was.
@Suite(.serialized) struct HostileRowTests {
  /// A value local input refuses, placed in one field of one bundle table.
  struct Case: CustomTestStringConvertible, Sendable {
    var table: String
    var field: String
    var value: String
    var refusal: String
    var testDescription: String { "\(table) \(field) = \(value.debugDescription)" }
  }

  static let cases: [Case] = [
    Case(table: "patient.json", field: "code", value: "P1\u{1B}[2J", refusal: "patient code"),
    Case(table: "patient.json", field: "code", value: "Jane Roe", refusal: "patient code"),
    Case(
      table: "source_video.json", field: "fileName", value: "../../../../etc/passwd\u{1B}[2J",
      refusal: "file name"),
    Case(table: "source_video.json", field: "fileName", value: "..", refusal: "file name"),
    Case(table: "source_video.json", field: "notes", value: "seen\u{1B}]0;owned\u{07}", refusal: "notes"),
    Case(table: "roi_annotation.json", field: "author", value: "dr\u{9B}31m", refusal: "author"),
    Case(
      table: "roi_annotation.json", field: "author", value: String(repeating: "a", count: 65),
      refusal: "author"),
    Case(table: "site.json", field: "name", value: "Hospital\u{0A}A", refusal: "site name"),
    Case(table: "dataset.json", field: "name", value: "demo/../x", refusal: "dataset name"),
    Case(table: "source_video.json", field: "codec", value: "h264\u{1B}[8m", refusal: "codec"),
    Case(table: "run.json", field: "plugin", value: "tile\u{0D}", refusal: "plugin"),
    Case(
      table: "run.json", field: "pluginManifestSha256", value: "../../etc\u{1B}[2J",
      refusal: "pluginManifestSha256 is not a SHA-256"),
  ]

  @Test(arguments: cases)
  func aValueLocalInputRefusesIsRefusedFromABundle(_ hostile: Case) async throws {
    let b = try SiteB()
    defer { b.cleanUp() }
    let good = try await HostileBundleTests.exported(b)
    let bundle = b.file("hostile.tar.zst")
    try Rebundle.make(from: good, to: bundle) { tables in
      var rows = tables[hostile.table] as! [[String: Any]]
      rows[0][hostile.field] = hostile.value
      tables[hostile.table] = rows
    }
    try HostileBundleTests.expectRefused(bundle, into: b, "\(hostile.table), row 1: \(hostile.refusal)")
  }

  @Test func anROIThatDoesNotFitItsFrameIsRefusedAsRoiSetRefusesIt() async throws {
    let b = try SiteB()
    defer { b.cleanUp() }
    let good = try await HostileBundleTests.exported(b)
    let bundle = b.file("roi.tar.zst")
    try Rebundle.make(from: good, to: bundle) { tables in
      var rois = tables["roi_annotation.json"] as! [[String: Any]]
      rois[0]["x"] = 100_000
      tables["roi_annotation.json"] = rois
    }
    try HostileBundleTests.expectRefused(bundle, into: b, "roi_annotation.json, row 1: ROI 100000,")
  }

  /// The same values, given to local input: each is refused there too, by the same rules.
  @Test func localInputRefusesTheSameValues() async throws {
    let b = try SiteB()
    defer { b.cleanUp() }
    let hostileName = b.file("../../../../etc/passwd\u{1B}[2J").lastPathComponent
    #expect(throws: RecordRules.Violation.self) { try RecordRules.fileName(hostileName) }
    let video = b.file("scan\u{1B}[2J.mp4")
    try Data("not a video".utf8).write(to: video)
    for item in [
      IngestItem(path: video.path, patient: "P1", label: "present"),
      IngestItem(path: b.file("scan.mp4").path, patient: "P1\u{1B}[2J", label: "present"),
      IngestItem(path: b.file("scan.mp4").path, patient: "P1", label: "present", notes: "x\u{1B}]0;y\u{07}"),
    ] {
      await #expect(throws: (any Error).self) {
        try await IngestPlugin.check(.init(files: [item]), inputs: [], catalog: b.catalog)
      }
    }
    #expect(throws: CatalogError.self) {
      try Catalog.create(at: b.file("other"), siteName: "Hospital\u{0A}A")
    }
    #expect(throws: RecordRules.Violation.self) { try RecordRules.author("dr\u{9B}31m") }
  }

  @Test func sqlLookingTextIsStoredVerbatim() async throws {
    let b = try SiteB()
    defer { b.cleanUp() }
    let good = try await HostileBundleTests.exported(b)
    let odd = b.file("odd.tar.zst")
    let notes = "x'); DROP TABLE cube; -- \"quoted\" ; \\"
    try Rebundle.make(from: good, to: odd) { tables in
      var videos = tables["source_video.json"] as! [[String: Any]]
      videos[0]["notes"] = notes
      tables["source_video.json"] = videos
    }
    _ = try BundleImporter(catalog: b.catalog).importBundle(odd)
    let (stored, cubes) = try await b.catalog.database.read { db in
      (
        try String.fetchAll(db, sql: "SELECT notes FROM source_video WHERE notes IS NOT NULL"),
        try Cube.fetchCount(db)
      )
    }
    #expect(stored.contains(notes))
    #expect(cubes > 0)
  }
}

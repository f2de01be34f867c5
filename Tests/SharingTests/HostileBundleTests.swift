import Foundation
import GRDB
import Platform
import Sharing
import Testing

/// Broken and hostile bundles: each refused with a clear message, the catalog and object store
/// unchanged, and no staging left behind.
@Suite(.serialized) struct HostileBundleTests {
  static func exported(_ b: SiteB) async throws -> URL {
    let a = try await SiteA.shared.catalog()
    let bundle = b.file("good.tar.zst")
    _ = try BundleExporter(catalog: a).export("demo@1", to: bundle, options: .init())
    return bundle
  }

  /// Imports `bundle` into B expecting a refusal whose message contains `message`.
  static func expectRefused(_ bundle: URL, into b: SiteB, _ message: String) throws {
    let before = try b.snapshot()
    do {
      _ = try BundleImporter(catalog: b.catalog).importBundle(bundle)
      Issue.record("the bundle was imported; expected a refusal mentioning '\(message)'")
    } catch {
      #expect(String(describing: error).contains(message), "\(error)")
    }
    #expect(try b.snapshot() == before, "the catalog or its object store changed")
  }

  @Test func aFlippedByteOrGarbageIsRefused() async throws {
    let b = try SiteB()
    defer { b.cleanUp() }
    var data = try Data(contentsOf: try await Self.exported(b))
    data[data.count / 2] ^= 0x5A
    let flipped = b.file("flipped.tar.zst")
    try data.write(to: flipped)
    let before = try b.snapshot()
    #expect(throws: (any Error).self) { try BundleImporter(catalog: b.catalog).importBundle(flipped) }
    #expect(try b.snapshot() == before)
    let garbage = b.file("garbage.tar.zst")
    try Data((0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(to: garbage)
    #expect(throws: (any Error).self) { try BundleImporter(catalog: b.catalog).importBundle(garbage) }
    #expect(try b.snapshot() == before)
  }

  @Test func rowsThatReferenceMissingBlobsOrEntitiesAreRefused() async throws {
    let b = try SiteB()
    defer { b.cleanUp() }
    let good = try await Self.exported(b)
    let missingBlob = b.file("missing-blob.tar.zst")
    try Rebundle.make(from: good, to: missingBlob) { tables in
      var cubes = tables["cube.json"] as! [[String: Any]]
      cubes[0]["shardSha256"] = String(repeating: "ab", count: 32)
      tables["cube.json"] = cubes
    }
    try Self.expectRefused(missingBlob, into: b, "cube.json, row 1: shardSha256")
    let missingEntity = b.file("missing-entity.tar.zst")
    try Rebundle.make(from: good, to: missingEntity) { tables in
      var edges = tables["run_edge.json"] as! [[String: Any]]
      edges[0]["entityId"] = "vid_00000000deadbeef"
      edges[0]["entityKind"] = "source_video"
      tables["run_edge.json"] = edges
    }
    try Self.expectRefused(missingEntity, into: b, "run_edge.json, row 1: entityId vid_00000000deadbeef")
  }

  @Test func absurdValuesAndANewerSchemaAreRefused() async throws {
    let b = try SiteB()
    defer { b.cleanUp() }
    let good = try await Self.exported(b)
    let absurd = b.file("absurd.tar.zst")
    try Rebundle.make(from: good, to: absurd) { tables in
      var cubes = tables["cube.json"] as! [[String: Any]]
      cubes[0]["shardIndex"] = 9_000_000_000_000
      tables["cube.json"] = cubes
    }
    try Self.expectRefused(absurd, into: b, "cube.json, row 1")
    let badID = b.file("bad-id.tar.zst")
    try Rebundle.make(from: good, to: badID) { tables in
      var videos = tables["source_video.json"] as! [[String: Any]]
      videos[0]["id"] = "../../etc/passwd"
      tables["source_video.json"] = videos
    }
    try Self.expectRefused(badID, into: b, "source_video.json, row 1")
    let newer = b.file("newer.tar.zst")
    try Rebundle.make(from: good, to: newer, mutate: { _ in }) { info in
      info.removeAll("Pleura-Schema-Version")
      info.append("Pleura-Schema-Version", "\(Catalog.schemaVersion + 1)")
    }
    try Self.expectRefused(
      newer, into: b, "schema \(Catalog.schemaVersion + 1), newer than this Pleura's \(Catalog.schemaVersion)"
    )
  }

  @Test func aDifferentDatasetUnderTheSameNameAndVersionIsRefused() async throws {
    let b = try SiteB()
    defer { b.cleanUp() }
    let good = try await Self.exported(b)
    _ = try BundleImporter(catalog: b.catalog).importBundle(good)
    let forged = b.file("forged.tar.zst")
    try Rebundle.make(from: good, to: forged) { tables in
      var datasets = tables["dataset.json"] as! [[String: Any]]
      datasets[0]["id"] = "ds_00000000000000f0"
      tables["dataset.json"] = datasets
      tables["cube.json"] = (tables["cube.json"] as! [[String: Any]]).map { cube in
        var cube = cube
        cube["datasetId"] = "ds_00000000000000f0"
        cube["id"] = "cube_" + String((cube["id"] as! String).dropFirst(5).reversed())
        return cube
      }
      tables["split.json"] = (tables["split.json"] as! [[String: Any]]).map { split in
        var split = split
        split["datasetId"] = "ds_00000000000000f0"
        return split
      }
      tables["run_edge.json"] = (tables["run_edge.json"] as! [[String: Any]]).filter {
        ($0["entityId"] as! String).hasPrefix("ds_") == false
      }
    }
    try Self.expectRefused(forged, into: b, "already here")
  }
}

import Bag
import Foundation
import GRDB
import Media
import Platform
import Sharing
import TestSupport
import Tiling

/// Site A: a small synthetic collection, tiled and split. Built once per test process (suites
/// that ask at the same time wait for the same build).
actor SiteA {
  static let shared = SiteA()
  private var building: Task<Catalog, any Error>?

  func catalog() async throws -> Catalog {
    if building == nil { building = Task { try await SiteFixture.tiledAndSplit(patients: 4) } }
    return try await building!.value
  }
}

enum SiteFixture {
  /// A new "Hospital A" catalog with `patients` synthetic patients (half without lung sliding),
  /// transcoded, tiled with the demo recipe and split with the default parameters.
  static func tiledAndSplit(patients: Int) async throws -> Catalog {
    let site = try await PipelineFixture(
      patients: patients, seed: 21, seconds: 2.05...2.2, siteName: "Hospital A")
    _ = try await site.split(try site.dataset(try await site.build(try DatasetRecipe.load("demo"))))
    return site.catalog
  }
}

/// A scratch folder with an empty site-B catalog.
struct SiteB {
  let folder: URL
  let catalog: Catalog

  init(in parent: URL = FileManager.default.temporaryDirectory) throws {
    folder = parent.appendingPathComponent("pleura-siteB-\(UUID().uuidString)")
    catalog = try Catalog.create(at: folder.appendingPathComponent("catalog"), siteName: "Hospital B")
  }

  func cleanUp() { try? FileManager.default.removeItem(at: folder) }

  func file(_ name: String) -> URL { folder.appendingPathComponent(name) }

  /// Rows of every table and every file under objects/ (staging included).
  func snapshot() throws -> [String] { try CatalogSnapshot.take(catalog) }

}

/// Re-packs an exported bundle after changing its rows, as a hostile or broken site might.
enum Rebundle {
  static func make(
    from bundle: URL, to output: URL, mutate: (inout [String: Any]) throws -> Void,
    info: ((inout BagInfo) -> Void)? = nil
  )
    throws
  {
    let staging = FileManager.default.temporaryDirectory.appendingPathComponent(
      "pleura-rebundle-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: staging) }
    let bag = try BagReader(stagingParent: staging).extract(archive: bundle)
    var tables: [String: Any] = [:]
    let catalogFolder = bag.url(of: "data/catalog")
    for name in try FileManager.default.contentsOfDirectory(atPath: catalogFolder.path) {
      tables[name] = try JSONSerialization.jsonObject(
        with: Data(contentsOf: catalogFolder.appendingPathComponent(name)))
    }
    try mutate(&tables)
    let writer = try BagWriter(creating: output, bagName: "rebundled")
    for (name, value) in tables {
      try writer.addData(try JSONSerialization.data(withJSONObject: value), as: "catalog/\(name)")
    }
    // The blobs the (edited) blob list says travel, as a re-signing site would ship them: an
    // import refuses a file in data/blobs that the list does not ship.
    let shipped = (tables["blob.json"] as? [[String: Any]])?.compactMap { blob in
      blob["stored"] as? Bool == true ? blob["sha256"] as? String : nil
    }
    let blobs = bag.url(of: "data/blobs")
    for name in try FileManager.default.contentsOfDirectory(atPath: blobs.path).sorted()
    where shipped?.contains(name) ?? true {
      try writer.addFile(at: blobs.appendingPathComponent(name), as: "blobs/\(name)")
    }
    var newInfo = BagInfo()
    for field in bag.info.fields where !["Payload-Oxum", "Bagging-Date", "Bag-Size"].contains(field.label) {
      newInfo.append(field.label, field.value)
    }
    info?(&newInfo)
    _ = try writer.finish(info: newInfo)
  }
}

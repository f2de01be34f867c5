import Foundation
import GRDB
import Platform

/// A temporary catalog with source video rows written directly (no media), for the label, ROI,
/// agreement and review services that only read rows.
struct CurationCatalog {
  let folder: URL
  let catalog: Catalog
  let runner: Runner
  let videos: [SourceVideo]

  init(videos count: Int = 3, labels: [SlidingLabel] = [.present, .absent, .present]) throws {
    folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "pleura-curation-\(UUID().uuidString)")
    catalog = try Catalog.create(at: folder.appendingPathComponent("catalog"), siteName: "test-site")
    runner = Runner(catalog: catalog)
    let site = catalog.localSite.id
    videos = try catalog.database.write { db in
      var made: [SourceVideo] = []
      for index in 0..<count {
        let sha = String(format: "%064x", index)
        try BlobRecord(StoredBlob(sha256: sha, size: 1), stored: false).insert(db, onConflict: .ignore)
        let (patient, _) = try Patient.findOrCreate(code: "P\(index)", siteID: site, in: db)
        let video = SourceVideo(
          id: EntityKind.sourceVideo.newID(), siteId: site, patientId: patient.id, blobSha256: sha,
          fileName: "v\(index).mp4", label: labels[index % labels.count], notes: nil, container: "mp4",
          codec: "h264", width: 640, height: 480, fpsNum: 30, fpsDen: 1, frameCount: 90, durationSeconds: 3,
          createdAt: Timestamp.now())
        try video.insert(db)
        try LabelAnnotation.ingestVersion(of: video).insert(db)
        made.append(video)
      }
      return made
    }
  }

  func cleanUp() { try? FileManager.default.removeItem(at: folder) }

  /// Every row of every table, as text: two snapshots are equal when nothing changed.
  func snapshot() throws -> [String] {
    try catalog.database.read { db in
      var lines: [String] = []
      let tables = try String.fetchAll(
        db,
        sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      for table in tables {
        for row in try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY rowid") {
          lines.append("\(table): \(row.description)")
        }
      }
      return lines
    }
  }
}

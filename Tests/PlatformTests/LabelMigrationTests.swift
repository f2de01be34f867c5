import Foundation
import GRDB
import Testing

@testable import Platform

@Suite struct LabelMigrationTests {
  /// A catalog made before labels had versions gets version 1 of every video's label, by
  /// 'ingest', with the id every other site derives for the same video.
  @Test func existingVideosGetTheirIngestLabelAsVersionOne() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "pleura-label-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let queue = try DatabaseQueue(path: folder.appendingPathComponent("catalog.sqlite").path)
    try CatalogMigrator.migrator.migrate(queue, upTo: "0001_catalog")
    try queue.write { db in
      try db.execute(
        sql: """
          INSERT INTO site VALUES ('site_1', 'here', '00000000-0000-0000-0000-000000000001', 1, '2026-01-01');
          INSERT INTO blob VALUES ('\(String(repeating: "a", count: 64))', 1, 0, '2026-01-01');
          INSERT INTO patient VALUES ('pat_1', 'site_1', 'P1', '2026-01-01');
          INSERT INTO source_video (id, site_id, patient_id, blob_sha256, file_name, label, container, codec,
            width, height, fps_num, fps_den, frame_count, duration_seconds, created_at)
          VALUES ('vid_00000000000000a1', 'site_1', 'pat_1', '\(String(repeating: "a", count: 64))', 'a.mp4',
            'absent', 'mp4', 'h264', 640, 480, 30, 1, 90, 3, '2026-01-02T00:00:00.000Z');
          """)
    }
    try CatalogMigrator.migrator.migrate(queue)
    let labels = try queue.read { db in try LabelAnnotation.fetchAll(db) }
    #expect(
      labels == [
        LabelAnnotation(
          id: "lab_00000000000000a1", siteId: "site_1", sourceVideoId: "vid_00000000000000a1", version: 1,
          label: .absent, adjudicated: false, author: "ingest", supersedesId: nil,
          createdAt: "2026-01-02T00:00:00.000Z")
      ])
    let video = try queue.read { db in try SourceVideo.fetchOne(db, key: "vid_00000000000000a1")! }
    #expect(LabelAnnotation.ingestVersion(of: video) == labels[0])
    let current = try queue.read { db in
      try Row.fetchOne(db, sql: "SELECT label, version, author FROM current_label")!
    }
    #expect(current["label"] as String == "absent" && current["version"] as Int == 1)
    // ROI versions made before adjudication existed are not adjudicated.
    let columns = try queue.read { db in try db.columns(in: "roi_annotation").map(\.name) }
    #expect(columns.contains("adjudicated"))
  }
}

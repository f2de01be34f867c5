import GRDB

/// Counts per entity kind, per label and per patient, as `pleura status` prints them.
public struct CatalogStatus: Codable, Sendable {
  public struct PatientCount: Codable, Sendable {
    public var patient: String
    public var site: String
    public var videos: Int
  }

  public var catalog: String
  public var site: String
  public var schemaVersion: Int
  public var entities: [String: Int]
  public var videosPerLabel: [String: Int]
  public var videosPerPatient: [PatientCount]
  public var runsPerStatus: [String: Int]

  public static func read(_ catalog: Catalog) throws -> CatalogStatus {
    try catalog.database.read { db in
      var entities: [String: Int] = [:]
      for kind in EntityKind.allCases {
        entities[kind.rawValue] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(kind.table)") ?? 0
      }
      var labels: [String: Int] = [:]
      for label in SlidingLabel.allCases { labels[label.rawValue] = 0 }
      for row in try Row.fetchAll(db, sql: "SELECT label, count(*) AS n FROM current_label GROUP BY label") {
        labels[row["label"]] = row["n"]
      }
      let patients = try Row.fetchAll(
        db,
        sql: """
          SELECT patient.code, site.name AS site, count(source_video.id) AS n
          FROM patient JOIN site ON site.id = patient.site_id
          LEFT JOIN source_video ON source_video.patient_id = patient.id
          GROUP BY patient.id ORDER BY site.is_local DESC, site.name, patient.code
          """
      ).map { PatientCount(patient: $0["code"], site: $0["site"], videos: $0["n"]) }
      var runs: [String: Int] = [:]
      for row in try Row.fetchAll(db, sql: "SELECT status, count(*) AS n FROM run GROUP BY status") {
        runs[row["status"]] = row["n"]
      }
      return CatalogStatus(
        catalog: catalog.root.path, site: catalog.localSite.name, schemaVersion: Catalog.schemaVersion,
        entities: entities, videosPerLabel: labels, videosPerPatient: patients, runsPerStatus: runs)
    }
  }
}

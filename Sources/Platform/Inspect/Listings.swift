import GRDB

/// Rows for `pleura videos`, `pleura patients` and `pleura runs`.
public enum Listings {
  public struct VideoRow: Codable, Sendable {
    public var id: String
    public var patient: String
    public var site: String
    /// The current label (see `LabelAnnotation`), its version and who set it.
    public var label: String
    public var labelVersion: Int
    public var labelAuthor: String
    public var fileName: String
    public var container: String
    public var codec: String
    public var width: Int
    public var height: Int
    public var fps: String
    public var frames: Int
    public var durationSeconds: Double
    public var sha256: String
    /// The current ROI's version, and its confidence when a suggestion made it.
    public var roiVersion: Int?
    public var roiConfidence: Double?

    /// "v2", "v3 low confidence (0.31)", or "-" without an ROI.
    public var roiDescription: String {
      guard let roiVersion else { return "-" }
      guard let roiConfidence, RoiConfidence.isLow(roiConfidence) else { return "v\(roiVersion)" }
      return String(format: "v%d low confidence (%.2f)", roiVersion, roiConfidence)
    }
  }

  public struct PatientRow: Codable, Sendable {
    public var id: String
    public var code: String
    public var site: String
    public var videos: Int
  }

  public static func videos(_ catalog: Catalog) throws -> [VideoRow] {
    try catalog.database.read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT v.*, p.code AS patient_code, s.name AS site_name, l.label AS current_label,
            l.version AS label_version, l.author AS label_author, r.version AS roi_version,
            r.confidence AS roi_confidence FROM source_video v
          JOIN patient p ON p.id = v.patient_id JOIN site s ON s.id = v.site_id
          JOIN current_label l ON l.source_video_id = v.id
          LEFT JOIN current_roi r ON r.source_video_id = v.id
          ORDER BY s.is_local DESC, p.code, v.created_at
          """
      ).map { row in
        VideoRow(
          id: row["id"], patient: row["patient_code"], site: row["site_name"], label: row["current_label"],
          labelVersion: row["label_version"], labelAuthor: row["label_author"], fileName: row["file_name"],
          container: row["container"], codec: row["codec"],
          width: row["width"], height: row["height"],
          fps: "\(row["fps_num"] as Int)/\(row["fps_den"] as Int)", frames: row["frame_count"],
          durationSeconds: row["duration_seconds"], sha256: row["blob_sha256"],
          roiVersion: row["roi_version"],
          roiConfidence: row["roi_confidence"])
      }
    }
  }

  public static func patients(_ catalog: Catalog) throws -> [PatientRow] {
    try catalog.database.read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT p.id, p.code, s.name AS site_name, count(v.id) AS n FROM patient p
          JOIN site s ON s.id = p.site_id LEFT JOIN source_video v ON v.patient_id = p.id
          GROUP BY p.id ORDER BY s.is_local DESC, s.name, p.code
          """
      ).map { PatientRow(id: $0["id"], code: $0["code"], site: $0["site_name"], videos: $0["n"]) }
    }
  }

  public static func runs(_ catalog: Catalog, limit: Int? = nil) throws -> [Run] {
    try catalog.database.read { db in
      var request = Run.order(Run.Columns.startedAt.desc)
      if let limit { request = request.limit(limit) }
      return try request.fetchAll(db)
    }
  }
}

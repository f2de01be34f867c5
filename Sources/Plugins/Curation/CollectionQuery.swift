import Foundation
import GRDB
import Platform

/// One page of the collection as the workbench lists it: filtered, sorted and paged in SQL, so
/// that a page of a catalog of 10,000 videos costs one query, not a scan in Swift.
public struct CollectionQuery: Sendable, Equatable {
  public enum Sort: String, CaseIterable, Sendable {
    case patient, file, label, roi, duration, size, fps, site, added
  }

  /// `present`, `absent`, `unknown`, or `none` (no label visible).
  public var label: String?
  /// `none`, `suggested` or `confirmed`.
  public var roiStatus: String?
  public var patient: String?
  public var site: String?
  /// Videos with any label or ROI version by this author.
  public var annotator: String?
  public var disagreement = false
  /// ROI not confirmed, label missing or unknown, or annotators disagree.
  public var needsWork = false
  public var sort = Sort.patient
  public var descending = false
  public var page = 1
  public var perPage = 50

  public static let maximumPerPage = 200

  public init() {}

  public struct Row: Codable, Sendable, Equatable {
    public var id: String
    public var fileName: String
    public var patient: String
    public var site: String
    public var label: String?
    public var labelAuthor: String?
    public var labelVersion: Int?
    public var labelAdjudicated: Bool
    /// `none`, `suggested` (only a program's ROI) or `confirmed` (a person's).
    public var roiStatus: String
    public var roiAuthor: String?
    public var roiVersion: Int?
    /// The shown ROI's suggestion confidence (nil for boxes people drew).
    public var roiConfidence: Double?
    public var durationSeconds: Double
    public var width: Int
    public var height: Int
    public var fps: Double
    public var frames: Int
    public var disagreement: Bool
  }

  public struct Page: Codable, Sendable, Equatable {
    public var total: Int
    public var page: Int
    public var perPage: Int
    public var rows: [Row]
  }

  public enum QueryError: Error, CustomStringConvertible, Equatable {
    case badValue(name: String, value: String, expected: String)
    public var description: String {
      switch self {
      case .badValue(let name, let value, let expected):
        "\(name) '\(value.prefix(80))' is not one of \(expected)"
      }
    }
  }

  /// Checks the values that select SQL fragments; the rest are bound as arguments.
  public func validate() throws {
    if let label, !["present", "absent", "unknown", "none"].contains(label) {
      throw QueryError.badValue(name: "label", value: label, expected: "present, absent, unknown, none")
    }
    if let roiStatus, !["none", "suggested", "confirmed"].contains(roiStatus) {
      throw QueryError.badValue(name: "roi", value: roiStatus, expected: "none, suggested, confirmed")
    }
    guard page >= 1, page <= 1_000_000 else {
      throw QueryError.badValue(name: "page", value: "\(page)", expected: "1 or more")
    }
    guard (1...Self.maximumPerPage).contains(perPage) else {
      throw QueryError.badValue(name: "per", value: "\(perPage)", expected: "1-\(Self.maximumPerPage)")
    }
  }

  public func run(_ perspective: Perspective, in db: Database) throws -> Page {
    var (sql, arguments) = try filtered(perspective, in: db)
    arguments["limit"] = perPage
    arguments["offset"] = (page - 1) * perPage
    // One pass: the total comes with the page's rows (a window over the whole filtered set).
    let found = try GRDB.Row.fetchAll(
      db,
      sql:
        "SELECT *, count(*) OVER () AS total FROM (\(sql)) ORDER BY \(orderSQL) LIMIT :limit OFFSET :offset",
      arguments: StatementArguments(arguments))
    var total: Int = found.first?["total"] ?? 0
    if found.isEmpty, page > 1 {
      total =
        try Int.fetchOne(db, sql: "SELECT count(*) FROM (\(sql))", arguments: StatementArguments(arguments))
        ?? 0
    }
    return Page(total: total, page: page, perPage: perPage, rows: found.map(Self.row))
  }

  /// The ids of every matching video, in this query's order.
  public func matchingIDs(_ perspective: Perspective, in db: Database) throws -> [String] {
    let (sql, arguments) = try filtered(perspective, in: db)
    return try String.fetchAll(
      db, sql: "SELECT id FROM (\(sql) ORDER BY \(orderSQL))", arguments: StatementArguments(arguments))
  }

  /// `SELECT * FROM (each video as its viewer sees it) AS c WHERE (the filters)`, and its arguments.
  func filtered(_ perspective: Perspective, in db: Database) throws -> (
    String, [String: (any DatabaseValueConvertible)?]
  ) {
    try validate()
    let disagreeing = perspective.isBlind ? [] : try Disagreements.find(in: db).map(\.video)
    var arguments: [String: (any DatabaseValueConvertible)?] = [
      "disagreeing": try CanonicalJSON.encode(disagreeing)
    ]
    var conditions: [String] = []
    if let label {
      if label == "none" {
        conditions.append("c.label IS NULL")
      } else {
        conditions.append("c.label = :label")
        arguments["label"] = label
      }
    }
    if let roiStatus {
      conditions.append("c.roi_status = :roi")
      arguments["roi"] = roiStatus
    }
    if let patient, !patient.isEmpty {
      conditions.append("c.patient = :patient")
      arguments["patient"] = patient
    }
    if let site, !site.isEmpty {
      conditions.append("c.site = :site")
      arguments["site"] = site
    }
    if let annotator, !annotator.isEmpty, !perspective.isBlind {
      conditions.append(
        "c.id IN (SELECT source_video_id FROM label_annotation WHERE author = :annotator "
          + "UNION SELECT source_video_id FROM roi_annotation WHERE author = :annotator)")
      arguments["annotator"] = annotator
    }
    if disagreement { conditions.append("c.disagreement") }
    if needsWork {
      conditions.append(
        "(c.roi_status <> 'confirmed' OR c.label IS NULL OR c.label = 'unknown' OR c.disagreement)")
    }
    let base = Self.baseSQL(perspective, arguments: &arguments)
    let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
    return ("SELECT * FROM (\(base)) AS c\(filter)", arguments)
  }

  /// Every video id in the default order (patient, then when it was added).
  public static func orderedIDs(in db: Database) throws -> [String] {
    try String.fetchAll(
      db,
      sql: """
        SELECT v.id FROM source_video v JOIN patient p ON p.id = v.patient_id
        ORDER BY p.code, v.created_at, v.id
        """)
  }

  var orderSQL: String {
    let key =
      switch sort {
      case .patient: "patient"
      case .file: "file_name"
      case .label: "label"
      case .roi: "roi_status"
      case .duration: "duration_seconds"
      case .size: "width * height"
      case .fps: "CAST(fps_num AS REAL) / fps_den"
      case .site: "site"
      case .added: "created_at"
      }
    return "\(key)\(descending ? " DESC" : ""), patient, created_at, id"
  }

  /// Each video with the label and ROI its viewer is shown: the current ones, or in blind mode
  /// the viewer's own latest (and for ROIs, else a program's suggestion).
  static func baseSQL(_ perspective: Perspective, arguments: inout [String: (any DatabaseValueConvertible)?])
    -> String
  {
    let machines = AnnotationAuthor.machines.sorted().map { "'\($0)'" }.joined(separator: ", ")
    let labelPick: String
    let roiPick: String
    switch perspective {
    case .everyone:
      labelPick = "WHERE x.source_video_id = v.id ORDER BY x.adjudicated DESC, x.version DESC LIMIT 1"
      roiPick = labelPick
    case .blind(let me):
      arguments["me"] = me
      labelPick = "WHERE x.source_video_id = v.id AND x.author = :me ORDER BY x.version DESC LIMIT 1"
      roiPick =
        "WHERE x.source_video_id = v.id AND (x.author = :me OR x.author IN (\(machines))) "
        + "ORDER BY (x.author = :me) DESC, x.version DESC LIMIT 1"
    }
    return """
      SELECT v.id, v.file_name, v.duration_seconds, v.width, v.height, v.fps_num, v.fps_den,
        v.frame_count, v.created_at, p.code AS patient, s.name AS site,
        l.label AS label, l.author AS label_author, l.version AS label_version,
        coalesce(l.adjudicated, 0) AS label_adjudicated,
        r.author AS roi_author, r.version AS roi_version, r.confidence AS roi_confidence,
        CASE WHEN r.id IS NULL THEN 'none' WHEN r.author IN (\(machines)) THEN 'suggested' ELSE 'confirmed' END
          AS roi_status,
        v.id IN (SELECT value FROM json_each(:disagreeing)) AS disagreement
      FROM source_video v
      JOIN patient p ON p.id = v.patient_id
      JOIN site s ON s.id = v.site_id
      LEFT JOIN label_annotation l ON l.id = (SELECT x.id FROM label_annotation x \(labelPick))
      LEFT JOIN roi_annotation r ON r.id = (SELECT x.id FROM roi_annotation x \(roiPick))
      """
  }

  static func row(_ row: GRDB.Row) -> Row {
    Row(
      id: row["id"], fileName: row["file_name"], patient: row["patient"], site: row["site"],
      label: row["label"], labelAuthor: row["label_author"], labelVersion: row["label_version"],
      labelAdjudicated: row["label_adjudicated"], roiStatus: row["roi_status"], roiAuthor: row["roi_author"],
      roiVersion: row["roi_version"], roiConfidence: row["roi_confidence"],
      durationSeconds: row["duration_seconds"], width: row["width"],
      height: row["height"], fps: Double(row["fps_num"] as Int) / Double(row["fps_den"] as Int),
      frames: row["frame_count"], disagreement: row["disagreement"])
  }
}

extension CollectionQuery {
  /// The sites that have videos, for the site filter.
  public static func sites(in db: Database) throws -> [String] {
    try String.fetchAll(
      db,
      sql: "SELECT DISTINCT s.name FROM site s JOIN source_video v ON v.site_id = s.id ORDER BY s.name")
  }

  /// Everyone who has written a label or ROI version, for the annotator filter.
  public static func annotators(in db: Database) throws -> [String] {
    try String.fetchAll(
      db, sql: "SELECT author FROM label_annotation UNION SELECT author FROM roi_annotation ORDER BY 1")
  }
}

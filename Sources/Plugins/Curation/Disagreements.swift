import Foundation
import GRDB
import Platform

/// Videos whose annotators disagree and no reviewer has settled it: among the latest adjudicated
/// version and each person's latest version made after it, two labels differ, or two ROIs overlap
/// with an IoU below the threshold. Programs (`AnnotationAuthor.machines`) are never a side.
public enum Disagreements {
  public static let defaultIoUThreshold = 0.5

  public struct Side<Value: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    public var author: String
    public var version: Int
    public var value: Value
    public var adjudicated: Bool
    public var createdAt: String
  }

  public struct Video: Codable, Sendable, Equatable {
    public var video: String
    public var labels: [Side<String>]
    /// ROIs in the video's source pixels.
    public var rois: [Side<PixelRect>]
    public var labelDisagrees: Bool
    public var lowestIoU: Double?
    public var roiDisagrees: Bool
  }

  /// The videos in disagreement, by video id.
  public static func find(
    videos: [String]? = nil, iouThreshold: Double = defaultIoUThreshold, in db: Database
  ) throws -> [Video] {
    var ids = try candidates(in: db)
    if let videos { ids = ids.filter(Set(videos).contains) }
    return find(in: try AnnotationHistory.read(videos: ids, in: db), iouThreshold: iouThreshold)
  }

  /// The only videos that can be in disagreement: two or more people (or one person both as a
  /// reviewer and as a curator) wrote their labels or ROIs. Found in SQL, so that the many videos
  /// with only their ingest label and a program's ROI are never read into memory.
  static func candidates(in db: Database) throws -> [String] {
    let machines = AnnotationAuthor.machines.sorted().map { "'\($0)'" }.joined(separator: ", ")
    return try String.fetchAll(
      db,
      sql: """
        SELECT source_video_id FROM label_annotation WHERE author NOT IN (\(machines))
        GROUP BY source_video_id HAVING count(DISTINCT author || ':' || adjudicated) >= 2
        UNION
        SELECT source_video_id FROM roi_annotation WHERE author NOT IN (\(machines))
        GROUP BY source_video_id HAVING count(DISTINCT author || ':' || adjudicated) >= 2
        """)
  }

  public static func find(in history: AnnotationHistory, iouThreshold: Double) -> [Video] {
    let ids = Set(history.labels.keys).union(history.rois.keys).sorted()
    return ids.compactMap { id in
      let labels = sides(
        history.labels[id] ?? [], version: \.version, author: \.author, adjudicated: \.adjudicated,
        createdAt: \.createdAt, value: { $0.label.rawValue })
      let rois = sides(
        history.rois[id] ?? [], version: \.annotation.version, author: \.annotation.author,
        adjudicated: \.annotation.adjudicated, createdAt: \.annotation.createdAt, value: \.sourceRect)
      let labelDisagrees = Set(labels.map(\.value)).count > 1
      var lowest: Double?
      for (i, a) in rois.enumerated() {
        for b in rois[(i + 1)...] {
          let iou = a.value.iou(b.value)
          lowest = min(lowest ?? iou, iou)
        }
      }
      let roiDisagrees = (lowest ?? 1) < iouThreshold
      guard labelDisagrees || roiDisagrees else { return nil }
      return Video(
        video: id, labels: labels, rois: rois, labelDisagrees: labelDisagrees, lowestIoU: lowest,
        roiDisagrees: roiDisagrees)
    }
  }

  /// The latest adjudicated version, then each person's latest later version.
  static func sides<Row, Value: Codable & Sendable & Equatable>(
    _ versions: [Row], version: KeyPath<Row, Int>, author: KeyPath<Row, String>,
    adjudicated: KeyPath<Row, Bool>, createdAt: KeyPath<Row, String>, value: (Row) -> Value
  ) -> [Side<Value>] {
    let decided = versions.last { $0[keyPath: adjudicated] }
    let after = decided?[keyPath: version] ?? 0
    var latest: [String: Row] = [:]
    for row in versions
    where !row[keyPath: adjudicated] && row[keyPath: version] > after
      && !AnnotationAuthor.isMachine(row[keyPath: author])
    {
      latest[row[keyPath: author]] = row
    }
    let rows =
      (decided.map { [$0] } ?? []) + latest.values.sorted { $0[keyPath: version] < $1[keyPath: version] }
    return rows.map {
      Side(
        author: $0[keyPath: author], version: $0[keyPath: version], value: value($0),
        adjudicated: $0[keyPath: adjudicated], createdAt: $0[keyPath: createdAt])
    }
  }
}

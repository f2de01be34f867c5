import GRDB
import Platform

extension MediaTarget {
  /// The source videos with no ROI yet, oldest first: what `pleura roi suggest --all` proposes
  /// for, so that a bulk suggestion never supersedes an ROI a curator (or an earlier suggestion)
  /// already set.
  public static func videosWithoutRoi(in db: Database) throws -> [String] {
    try String.fetchAll(
      db,
      sql: """
        SELECT id FROM source_video WHERE id NOT IN (SELECT source_video_id FROM roi_annotation)
        ORDER BY created_at, id
        """)
  }
}

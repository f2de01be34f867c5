import GRDB
import Platform

extension TranscodePlugin {
  /// The source videos without a conversion made with `parameters`, or with `again` every one,
  /// oldest first: what `pleura transcode --all` (with `--force`) converts.
  public static func videosToConvert(_ parameters: Parameters, again: Bool, in db: Database) throws
    -> [EntityRef]
  {
    try String.fetchAll(
      db,
      sql: """
        SELECT id FROM source_video WHERE ? OR id NOT IN
          (SELECT source_video_id FROM conversion WHERE parameters_json = ?)
        ORDER BY created_at
        """, arguments: [again, try CanonicalJSON.encode(parameters)]
    ).map { EntityRef(.sourceVideo, $0) }
  }
}

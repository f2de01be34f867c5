import GRDB
import Platform

extension TranscodePlugin {
  /// The source videos without a conversion made with `parameters`, oldest first: what
  /// `pleura transcode --all` converts.
  public static func videosWithoutConversion(_ parameters: Parameters, in db: Database) throws -> [EntityRef]
  {
    try String.fetchAll(
      db,
      sql: """
        SELECT id FROM source_video WHERE id NOT IN
          (SELECT source_video_id FROM conversion WHERE parameters_json = ?)
        ORDER BY created_at
        """, arguments: [try CanonicalJSON.encode(parameters)]
    ).map { EntityRef(.sourceVideo, $0) }
  }
}

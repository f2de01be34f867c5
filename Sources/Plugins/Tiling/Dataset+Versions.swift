import Foundation
import GRDB
import Platform

extension Dataset {
  /// The newest version of a dataset name at a site, nil before its first build.
  static func newest(named name: String, site: String, in db: Database) throws -> Dataset? {
    try Dataset.filter(Dataset.Columns.siteId == site && Dataset.Columns.name == name)
      .order(Dataset.Columns.version.desc).fetchOne(db)
  }

  /// Whether this version already holds exactly these shards: a build (by `tile` or by an
  /// external plugin) of unchanged inputs hands this version back instead of landing a new one.
  func holdsTheSameShards(as summary: DatasetSummary) -> Bool {
    (try? JSONDecoder().decode(DatasetSummary.self, from: Data(summaryJson.utf8)))?.shards == summary.shards
  }
}

import GRDB

extension EntityLookup {
  /// An entity by its id (or a unique prefix), or by a name a listing prints: a dataset's
  /// `NAME@V` in any form `Dataset.find` takes, or a source video's original file name, as
  /// `pleura videos` shows it. `kinds` limits what may be named; an id of another kind is refused
  /// naming both kinds.
  public static func resolve(name text: String, as kinds: [EntityKind] = EntityKind.allCases, in db: Database)
    throws -> EntityRef
  {
    if EntityKind.of(id: text) != nil {
      do {
        return try resolve(text, as: kinds, in: db)
      } catch CatalogError.unknownID(_) where kinds.contains(.dataset) || kinds.contains(.sourceVideo) {
        // A dataset or a file may be named like an id; they are looked for below.
      }
    }
    if kinds.contains(.sourceVideo), let video = try SourceVideo.named(text, in: db) {
      return EntityRef(.sourceVideo, video.id)
    }
    if kinds.contains(.dataset) {
      do {
        return EntityRef(.dataset, try Dataset.find(text, in: db).id)
      } catch let error as DatasetLookupError
        where kinds == [.dataset] || text.contains("@") || text.contains("/")
      {
        throw error
      } catch is DatasetLookupError {}
    }
    if EntityKind.of(id: text) != nil { throw CatalogError.unknownID(text) }
    throw CatalogError.notAName(text, kinds: kinds)
  }
}

extension SourceVideo {
  /// The source video whose original file name is `name`; nil when none has it. Several videos
  /// with that name are refused with their ids.
  public static func named(_ name: String, in db: Database) throws -> SourceVideo? {
    let matches = try SourceVideo.filter(Columns.fileName == name).order(Column("rowid")).fetchAll(db)
    guard matches.count <= 1 else { throw CatalogError.ambiguousName(name, matches: matches.map(\.id)) }
    return matches.first
  }
}

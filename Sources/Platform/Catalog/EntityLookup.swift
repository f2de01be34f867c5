import GRDB

/// Finding entities by id across all kinds.
public enum EntityLookup {
  public static func exists(_ ref: EntityRef, in db: Database) throws -> Bool {
    try Bool.fetchOne(
      db, sql: "SELECT EXISTS (SELECT 1 FROM \(ref.kind.table) WHERE id = ?)", arguments: [ref.id]) ?? false
  }

  /// What a run's identity depends on for this input: the bytes for entities that have a blob,
  /// the id for the others (entities are immutable, so an id names fixed content).
  static func contentFingerprint(of ref: EntityRef, in db: Database) throws -> String {
    let column: String? =
      switch ref.kind {
      case .sourceVideo, .conversion: "blob_sha256"
      case .model: "weights_sha256"
      default: nil
      }
    guard let column else { return ref.kind.rawValue + ":" + ref.id }
    let sha = try String.fetchOne(
      db, sql: "SELECT \(column) FROM \(ref.kind.table) WHERE id = ?", arguments: [ref.id])
    return ref.kind.rawValue + ":" + (sha ?? ref.id)
  }

  /// Resolves a full id or a unique prefix of one. A prefix needs its kind's prefix and at least
  /// 4 more characters to be taken alone; a shorter one, or one that matches several ids, is
  /// refused with the ids it matches, so that the user can pick one.
  public static func resolve(_ text: String, in db: Database) throws -> EntityRef {
    guard let kind = EntityKind.of(id: text) else { throw CatalogError.notAnID(text) }
    if try exists(EntityRef(kind, text), in: db) { return EntityRef(kind, text) }
    let escaped = text.replacingOccurrences(of: "\\", with: "\\\\")
      .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    let matches = try String.fetchAll(
      db, sql: "SELECT id FROM \(kind.table) WHERE id LIKE ? ESCAPE '\\' ORDER BY id LIMIT 6",
      arguments: [escaped + "%"])
    guard let first = matches.first else { throw CatalogError.unknownID(text) }
    guard matches.count == 1 else { throw CatalogError.ambiguousID(text, matches: matches) }
    guard text.count >= kind.idPrefix.count + 5 else {
      throw CatalogError.shortID(text, kindPrefix: kind.idPrefix, matches: matches)
    }
    return EntityRef(kind, first)
  }

  /// Resolves `text` as `resolve` does and checks that it names one of `kinds`: an id of another
  /// kind is refused naming both kinds.
  public static func resolve(_ text: String, as kinds: [EntityKind], in db: Database) throws -> EntityRef {
    let ref = try resolve(text, in: db)
    guard kinds.contains(ref.kind) else {
      throw CatalogError.wrongKind(ref.id, is: ref.kind, expected: kinds)
    }
    return ref
  }
}

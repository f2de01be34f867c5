import GRDB

/// Which earlier run may stand in for a new one with the same identity (``RunIdentity``).
///
/// The cache key says "same plugin version, parameters and input *content*"; that is not enough
/// to hand back outputs. The earlier run must also have been given the very entities asked for
/// now (a conversion belongs to one source video: another site's video with the same bytes has
/// conversions of its own), and every byte its outputs hold must be in this catalog's store (an
/// imported run whose blobs stayed at the other site has nothing to hand back here).
enum RunCache {
  struct Hit {
    var run: Run
    var outputs: [EntityRef]
  }

  /// The newest succeeded run with `cacheKey` given exactly `inputs` whose outputs all exist with
  /// their bytes here, or nil.
  static func reusable(cacheKey: String, inputs: [EntityRef], blobs: BlobStore, in db: Database) throws
    -> Hit?
  {
    let runs = try Run.filter(Run.Columns.cacheKey == cacheKey && Run.Columns.status == "succeeded")
      .order(Run.Columns.startedAt.desc).fetchAll(db)
    let asked = inputs.map(\.description).sorted()
    for run in runs {
      let edges = try RunEdge.all().edges(ofRun: run.id).fetchAll(db)
      guard edges.filter({ $0.direction == .input }).map(\.entity.description).sorted() == asked else {
        continue
      }
      let outputs = edges.filter { $0.direction == .output }.map(\.entity)
      guard try outputs.allSatisfy({ try EntityLookup.exists($0, in: db) }) else { continue }
      let hashes = try outputs.flatMap { try blobHashes(of: $0, in: db) }
      guard try hashes.allSatisfy({ try isHere($0, blobs: blobs, in: db) }) else { continue }
      return Hit(run: run, outputs: outputs)
    }
    return nil
  }

  /// The blobs an entity's content lives in (a dataset's: its cubes' shards).
  static func blobHashes(of ref: EntityRef, in db: Database) throws -> [String] {
    let sql: String? =
      switch ref.kind {
      case .sourceVideo: "SELECT blob_sha256 FROM source_video WHERE id = ?"
      case .conversion: "SELECT blob_sha256 FROM conversion WHERE id = ?"
      case .model: "SELECT weights_sha256 FROM model WHERE id = ?"
      case .evaluation: "SELECT scores_sha256 FROM evaluation WHERE id = ? AND scores_sha256 IS NOT NULL"
      case .cube: "SELECT shard_sha256 FROM cube WHERE id = ?"
      case .dataset: "SELECT DISTINCT shard_sha256 FROM cube WHERE dataset_id = ?"
      default: nil
      }
    guard let sql else { return [] }
    return try String.fetchAll(db, sql: sql, arguments: [ref.id])
  }

  /// Whether the catalog holds a blob's bytes: recorded as stored, and the file is there.
  static func isHere(_ sha256: String, blobs: BlobStore, in db: Database) throws -> Bool {
    let stored = try Bool.fetchOne(db, sql: "SELECT stored FROM blob WHERE sha256 = ?", arguments: [sha256])
    return stored == true && blobs.contains(sha256)
  }
}

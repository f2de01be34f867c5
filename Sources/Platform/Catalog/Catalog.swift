import Foundation
import GRDB

/// A Pleura catalog: one folder holding `catalog.sqlite` (SQLite in WAL mode, foreign keys on)
/// and `objects/`, the content-addressed blob store.
///
/// ```swift
/// let catalog = try Catalog.create(at: URL(fileURLWithPath: "pleura-catalog"))
/// let same = try Catalog.open(at: catalog.root)
/// ```
public final class Catalog: Sendable {
  public let root: URL
  public let database: DatabasePool
  public let blobs: BlobStore
  /// The catalog's own site, created at init.
  public let localSite: Site

  public static let databaseFileName = "catalog.sqlite"
  public static let objectsFolderName = "objects"

  /// The schema version this binary writes (the number of its newest migration).
  public static var schemaVersion: Int { CatalogMigrator.schemaVersion }

  /// `PLEURA_CATALOG` when set, else `./pleura-catalog`.
  public static func defaultLocation(environment: [String: String] = ProcessInfo.processInfo.environment)
    -> URL
  {
    if let path = environment["PLEURA_CATALOG"], !path.isEmpty { return URL(fileURLWithPath: path) }
    return URL(fileURLWithPath: "pleura-catalog")
  }

  // MARK: - Creating and opening

  /// Creates a new catalog folder with its own site. Refuses a folder that already holds one.
  public static func create(at root: URL, siteName: String? = nil) throws -> Catalog {
    let root = root.standardizedFileURL
    let fileManager = FileManager.default
    let databaseURL = root.appendingPathComponent(databaseFileName)
    if fileManager.fileExists(atPath: databaseURL.path) {
      throw CatalogError.alreadyExists(path: root.path)
    }
    if let siteName, (try? RecordRules.siteName(siteName)) == nil {
      throw CatalogError.invalidSiteName(siteName)
    }
    try fileManager.createDirectory(at: root, withIntermediateDirectories: true)
    try BlobStore.create(at: root.appendingPathComponent(objectsFolderName))
    let pool = try openPool(at: databaseURL, root: root)
    try pool.write { db in
      guard try Site.filter(Site.Columns.isLocal == true).fetchCount(db) == 0 else { return }
      let uuid = UUID().uuidString.lowercased()
      let name = siteName ?? "site-" + uuid.prefix(8)
      try Site(id: EntityKind.site.newID(), name: name, uuid: uuid, isLocal: true, createdAt: Timestamp.now())
        .insert(db)
    }
    return try Catalog(root: root, pool: pool)
  }

  /// Opens an existing catalog and migrates it forward.
  public static func open(at root: URL) throws -> Catalog {
    let root = root.standardizedFileURL
    let databaseURL = try locateDatabase(in: root)
    let pool = try openPool(at: databaseURL, root: root)
    let catalog = try Catalog(root: root, pool: pool)
    try RunReaper.markAbandonedRuns(in: catalog)
    return catalog
  }

  /// Opens a catalog for a command that only reads it. A catalog that can be written is opened as
  /// `open` does; one that cannot (a read-only folder, file or file system) is opened read-only,
  /// without migrating it or marking abandoned runs, which would both write.
  public static func openForReading(at root: URL) throws -> Catalog {
    let root = root.standardizedFileURL
    let databaseURL = try locateDatabase(in: root)
    if access(root.path, W_OK) == 0, access(databaseURL.path, W_OK) == 0 { return try open(at: root) }
    let pool = try ReadOnlyCatalog.openPool(at: databaseURL, root: root)
    return try Catalog(root: root, pool: pool)
  }

  /// `catalog.sqlite` inside `root`, once `root` is known to be a catalog folder.
  private static func locateDatabase(in root: URL) throws -> URL {
    let fileManager = FileManager.default
    var isDirectory: ObjCBool = false
    guard fileManager.fileExists(atPath: root.path, isDirectory: &isDirectory) else {
      throw CatalogError.notFound(path: root.path)
    }
    let databaseURL = root.appendingPathComponent(databaseFileName)
    guard isDirectory.boolValue, fileManager.fileExists(atPath: databaseURL.path),
      fileManager.fileExists(atPath: root.appendingPathComponent(objectsFolderName).path)
    else { throw CatalogError.notACatalog(path: root.path) }
    return databaseURL
  }

  /// Opens a Slurm job's workspace: a catalog folder whose `catalog.sqlite` is the job's own copy
  /// of the catalog and whose store reads blobs it lacks from `blobsReadFrom`, the catalog's own
  /// store, without ever writing there (``JobWorker``).
  static func openWorkspace(at root: URL, blobsReadFrom: URL) throws -> Catalog {
    let root = root.standardizedFileURL
    let pool = try openPool(at: try locateDatabase(in: root), root: root)
    let blobs = BlobStore(root: root.appendingPathComponent(objectsFolderName), readThrough: blobsReadFrom)
    let catalog = try Catalog(root: root, pool: pool, blobs: blobs)
    try RunReaper.markAbandonedRuns(in: catalog)
    return catalog
  }

  private init(root: URL, pool: DatabasePool, blobs: BlobStore? = nil) throws {
    self.root = root
    self.database = pool
    self.blobs = blobs ?? BlobStore(root: root.appendingPathComponent(Self.objectsFolderName))
    guard let site = try pool.read({ db in try Site.filter(Site.Columns.isLocal == true).fetchOne(db) })
    else { throw CatalogError.missingLocalSite(path: root.path) }
    self.localSite = site
  }

  private static func openPool(at databaseURL: URL, root: URL) throws -> DatabasePool {
    var configuration = Configuration()
    configuration.foreignKeysEnabled = true
    // Several `pleura` processes may share a catalog: wait for the writer instead of failing.
    configuration.busyMode = .timeout(60)
    let pool = try DatabasePool(path: databaseURL.path, configuration: configuration)
    // One process migrates at a time; the others wait and then find nothing left to do.
    let lock = try CatalogLock(file: root.appendingPathComponent(".migrate.lock"), mode: .exclusive)
    defer { withExtendedLifetime(lock) {} }
    let unknown = try pool.read { db in try CatalogMigrator.unknownApplied(db) }
    guard unknown.isEmpty else {
      throw CatalogError.newerSchema(path: root.path, unknownMigrations: unknown)
    }
    try CatalogMigrator.migrator.migrate(pool)
    return pool
  }

  // MARK: - Locks

  /// Held (shared) by every run while it writes; see ``CatalogLock``.
  public func runLock() throws -> CatalogLock {
    try CatalogLock(file: root.appendingPathComponent(".runs.lock"), mode: .shared)
  }

  /// Held (exclusive) by `gc`; nil while any run is in progress.
  public func attemptMaintenanceLock() throws -> CatalogLock? {
    try CatalogLock.attempt(file: root.appendingPathComponent(".runs.lock"), mode: .exclusive)
  }
}

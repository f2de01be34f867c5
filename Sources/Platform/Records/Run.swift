import Foundation
import GRDB

/// One plugin execution and its record: what ran, with which parameters, when, and how it ended.
public struct Run: CatalogRecord, Equatable {
  public static let databaseTableName = "run"
  public enum Columns {
    public static let id = Column("id")
    public static let status = Column("status")
    public static let cacheKey = Column("cache_key")
    public static let startedAt = Column("started_at")
    public static let pid = Column("pid")
    public static let plugin = Column("plugin")
  }

  public enum Status: String, Codable, Sendable {
    case running, succeeded, failed
  }

  public var id: String
  public var siteId: String
  public var plugin: String
  public var pluginVersion: String
  public var parametersJson: String
  public var seed: Int64?
  public var cacheKey: String
  public var status: Status
  public var startedAt: String
  public var endedAt: String?
  public var error: String?
  public var platformVersion: String
  public var pid: Int32?
  public var summary: String?
  /// SHA-256 of an external plugin's `plugin.json` and program; nil for built-in plugins.
  public var pluginManifestSha256: String?
  public var pluginCommandSha256: String?

  public init(
    id: String, siteId: String, plugin: String, pluginVersion: String, parametersJson: String, seed: Int64?,
    cacheKey: String, status: Status, startedAt: String, endedAt: String?, error: String?,
    platformVersion: String,
    pid: Int32?, summary: String?, pluginManifestSha256: String? = nil, pluginCommandSha256: String? = nil
  ) {
    self.id = id
    self.siteId = siteId
    self.plugin = plugin
    self.pluginVersion = pluginVersion
    self.parametersJson = parametersJson
    self.seed = seed
    self.cacheKey = cacheKey
    self.status = status
    self.startedAt = startedAt
    self.endedAt = endedAt
    self.error = error
    self.platformVersion = platformVersion
    self.pid = pid
    self.summary = summary
    self.pluginManifestSha256 = pluginManifestSha256
    self.pluginCommandSha256 = pluginCommandSha256
  }
}

/// A provenance edge: a run read (input) or made (output) an entity.
public struct RunEdge: CatalogRecord, Equatable {
  public static let databaseTableName = "run_edge"
  public enum Columns {
    public static let runId = Column("run_id")
    public static let direction = Column("direction")
    public static let entityId = Column("entity_id")
  }

  public enum Direction: String, Codable, Sendable {
    case input, output
  }

  public var runId: String
  public var direction: Direction
  public var entityKind: EntityKind
  public var entityId: String
  public var role: String

  public init(runId: String, direction: Direction, entity: EntityRef, role: String = "") {
    self.runId = runId
    self.direction = direction
    self.entityKind = entity.kind
    self.entityId = entity.id
    self.role = role
  }

  public var entity: EntityRef { EntityRef(entityKind, entityId) }
}

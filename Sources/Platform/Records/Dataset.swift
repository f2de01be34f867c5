import GRDB

/// A derived cube dataset, `name@version`, immutable once built.
public struct Dataset: CatalogRecord, Equatable {
  public static let databaseTableName = "dataset"
  public enum Columns {
    public static let id = Column("id")
    public static let siteId = Column("site_id")
    public static let name = Column("name")
    public static let version = Column("version")
  }

  public var id: String
  public var siteId: String
  public var name: String
  public var version: Int
  public var recipeJson: String
  /// Counts, shards and skipped videos with reasons (see the tile plugin).
  public var summaryJson: String
  public var createdAt: String

  public init(
    id: String, siteId: String, name: String, version: Int, recipeJson: String, summaryJson: String,
    createdAt: String
  ) {
    self.id = id
    self.siteId = siteId
    self.name = name
    self.version = version
    self.recipeJson = recipeJson
    self.summaryJson = summaryJson
    self.createdAt = createdAt
  }

  public var reference: String { "\(name)@\(version)" }
}

/// One video cube: `frames` x `size` x `size` grey pixels at `shard_index` of a shard blob.
public struct Cube: CatalogRecord, Equatable {
  public static let databaseTableName = "cube"
  public enum Columns {
    public static let datasetId = Column("dataset_id")
  }

  public var id: String
  public var datasetId: String
  public var conversionId: String
  public var roiId: String
  public var patientId: String
  public var label: SlidingLabel
  public var clipIndex: Int
  public var firstFrame: Int
  public var frames: Int
  public var tileRow: Int
  public var tileCol: Int
  public var x: Int
  public var y: Int
  public var size: Int
  public var shardSha256: String
  public var shardIndex: Int

  public init(
    id: String, datasetId: String, conversionId: String, roiId: String, patientId: String,
    label: SlidingLabel,
    clipIndex: Int, firstFrame: Int, frames: Int, tileRow: Int, tileCol: Int, x: Int, y: Int, size: Int,
    shardSha256: String, shardIndex: Int
  ) {
    self.id = id
    self.datasetId = datasetId
    self.conversionId = conversionId
    self.roiId = roiId
    self.patientId = patientId
    self.label = label
    self.clipIndex = clipIndex
    self.firstFrame = firstFrame
    self.frames = frames
    self.tileRow = tileRow
    self.tileCol = tileCol
    self.x = x
    self.y = y
    self.size = size
    self.shardSha256 = shardSha256
    self.shardIndex = shardIndex
  }
}

/// A patient-wise assignment of a dataset's patients to train, validation and test.
public struct Split: CatalogRecord, Equatable {
  public static let databaseTableName = "split"
  public enum Columns {
    public static let datasetId = Column("dataset_id")
  }

  public var id: String
  public var siteId: String
  public var datasetId: String
  public var seed: Int
  public var parametersJson: String
  public var createdAt: String

  public init(
    id: String, siteId: String, datasetId: String, seed: Int, parametersJson: String, createdAt: String
  ) {
    self.id = id
    self.siteId = siteId
    self.datasetId = datasetId
    self.seed = seed
    self.parametersJson = parametersJson
    self.createdAt = createdAt
  }
}

public struct SplitAssignment: CatalogRecord, Equatable {
  public static let databaseTableName = "split_assignment"
  public enum Columns {
    public static let splitId = Column("split_id")
  }

  public enum Part: String, Codable, CaseIterable, Sendable {
    case train, validation, test
  }

  public var splitId: String
  public var patientId: String
  public var part: Part

  public init(splitId: String, patientId: String, part: Part) {
    self.splitId = splitId
    self.patientId = patientId
    self.part = part
  }
}

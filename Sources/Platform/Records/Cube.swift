import GRDB

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

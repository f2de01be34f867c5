import GRDB

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

import GRDB

/// Metrics of a model on a part of a dataset, with the per-cube scores as a blob.
public struct Evaluation: CatalogRecord, Equatable {
  public static let databaseTableName = "evaluation"
  public enum Columns {
    public static let id = Column("id")
    public static let modelId = Column("model_id")
    public static let datasetId = Column("dataset_id")
  }

  /// Which cubes were scored: a part of the model's split, or every cube of the dataset.
  public enum Part: String, Codable, CaseIterable, Sendable {
    case train, validation, test, all
  }

  public var id: String
  public var siteId: String
  public var modelId: String
  public var datasetId: String
  public var part: Part
  public var metricsJson: String
  /// CSV of per-cube scores (cube, patient, video, clip, label, score).
  public var scoresSha256: String?
  public var createdAt: String

  public init(
    id: String, siteId: String, modelId: String, datasetId: String, part: Part, metricsJson: String,
    scoresSha256: String?, createdAt: String
  ) {
    self.id = id
    self.siteId = siteId
    self.modelId = modelId
    self.datasetId = datasetId
    self.part = part
    self.metricsJson = metricsJson
    self.scoresSha256 = scoresSha256
    self.createdAt = createdAt
  }
}

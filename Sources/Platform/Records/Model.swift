import GRDB

/// Trained weights (a safetensors blob) with the architecture, hyperparameters, training curves,
/// the dataset version and the split they were trained on.
public struct Model: CatalogRecord, Equatable {
  public static let databaseTableName = "model"
  public enum Columns {
    public static let id = Column("id")
    public static let datasetId = Column("dataset_id")
    public static let splitId = Column("split_id")
  }

  public var id: String
  public var siteId: String
  public var datasetId: String
  public var splitId: String
  /// The preset name, e.g. `resnet3d-18`.
  public var architecture: String
  public var weightsSha256: String
  /// Every hyperparameter and what the network was built for (see the train plugin).
  public var hyperparametersJson: String
  /// Per-epoch training and validation loss and accuracy.
  public var curvesJson: String
  /// 1-based epoch whose weights were kept (lowest validation loss).
  public var chosenEpoch: Int
  public var seed: Int
  public var createdAt: String

  public init(
    id: String, siteId: String, datasetId: String, splitId: String, architecture: String,
    weightsSha256: String, hyperparametersJson: String, curvesJson: String, chosenEpoch: Int, seed: Int,
    createdAt: String
  ) {
    self.id = id
    self.siteId = siteId
    self.datasetId = datasetId
    self.splitId = splitId
    self.architecture = architecture
    self.weightsSha256 = weightsSha256
    self.hyperparametersJson = hyperparametersJson
    self.curvesJson = curvesJson
    self.chosenEpoch = chosenEpoch
    self.seed = seed
    self.createdAt = createdAt
  }
}

import GRDB
import Platform

// Scoring a model on another split's part: the earlier model of `pleura retrain` is tested on
// the test part of its successor's split (a split of a newer dataset version), so that both
// models are scored on the very same cubes.
extension EvaluatePlugin {
  /// The split whose part is scored: the one among the inputs, which must be a split of the
  /// scored dataset, else the model's own.
  static func scoredSplit(model: Model, dataset: Dataset, inputs: [EntityRef], in db: Database) throws
    -> String
  {
    guard let splitID = inputs.first(where: { $0.kind == .split })?.id else { return model.splitId }
    let split = try Split.find(db, key: splitID)
    guard split.datasetId == dataset.id else {
      let owner = try Dataset.fetchOne(db, key: split.datasetId)?.reference ?? split.datasetId
      throw TrainingError.splitOfAnotherDataset(split: split.id, belongsTo: owner, dataset: dataset.reference)
    }
    return split.id
  }
}

import GRDB

extension Model {
  /// The inputs of a run that scores a model on a dataset (evaluate, explain): the model `text`
  /// names (an id or a unique prefix) and `dataset` by any name a listing prints, or, without
  /// one, the dataset the model was trained on.
  public static func scoringInputs(model text: String, dataset: String?, in db: Database) throws
    -> [EntityRef]
  {
    let ref = try EntityLookup.resolve(text, as: [.model], in: db)
    guard let model = try Model.fetchOne(db, key: ref.id) else { throw CatalogError.unknownID(text) }
    let datasetID = try dataset.map { try Dataset.find($0, in: db).id } ?? model.datasetId
    return [ref, EntityRef(.dataset, datasetID)]
  }
}

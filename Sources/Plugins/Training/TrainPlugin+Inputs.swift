import GRDB
import Platform

// What a train run is given, found the way `pleura train` names it.
extension TrainPlugin {
  /// The dataset `reference` names and `split` (any name `EntityLookup` takes), or the dataset's
  /// newest split when no split is named.
  public static func inputs(dataset reference: String, split: String?, in db: Database) throws -> [EntityRef]
  {
    let found = try Dataset.find(reference, in: db)
    if let split {
      return [EntityRef(.dataset, found.id), try EntityLookup.resolve(split, as: [.split], in: db)]
    }
    guard
      let newest = try Split.filter(Split.Columns.datasetId == found.id).order(Column("created_at").desc)
        .fetchOne(db)
    else {
      throw TrainingError.badParameter(
        "\(found.reference) has no split; make one with `pleura split \(found.reference)`")
    }
    return [EntityRef(.dataset, found.id), EntityRef(.split, newest.id)]
  }

  /// The interrupted train run `text` names: its own parameters, set to resume it, and its inputs.
  public static func resumption(of text: String, in db: Database) throws -> (Parameters, [EntityRef]) {
    let ref = try EntityLookup.resolve(text, as: [.run], in: db)
    guard let run = try Run.fetchOne(db, key: ref.id), run.plugin == name else {
      throw TrainingError.badParameter("\(text) is not a train run")
    }
    var parameters = try ParameterSchema.decode(json: run.parametersJson, as: Self.self)
    parameters.resume = run.id
    return (parameters, try RunEdge.all().edges(.input, ofRun: run.id).fetchAll(db).map(\.entity))
  }
}

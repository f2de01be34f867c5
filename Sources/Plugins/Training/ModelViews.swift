import Foundation
import GRDB
import Platform

/// Read-only listings of models and evaluations for the CLI, with the site each came from
/// (imported ones keep the exporting site's name).
public enum ModelViews {
  public struct ModelRow: Codable, Sendable {
    public var id: String
    public var site: String
    /// `NAME@V`, prefixed with the site's name when the dataset is another site's.
    public var dataset: String
    public var split: String
    public var architecture: String
    public var widthMultiplier: Double?
    public var chosenEpoch: Int
    public var epochs: Int?
    public var evaluations: Int
    public var createdAt: String
  }

  public struct EvaluationRow: Codable, Sendable {
    public var id: String
    public var site: String
    public var model: String
    public var dataset: String
    public var part: String
    public var cubes: Int?
    public var accuracy: Double?
    public var auc: Double?
    public var videoAccuracy: Double?
    public var createdAt: String
  }

  /// The model with this id (an id a run just made, or one a lookup resolved).
  public static func model(_ id: String, in catalog: Catalog) throws -> Model {
    try catalog.database.read { db in try Model.find(db, key: id) }
  }

  /// The evaluation with this id.
  public static func evaluation(_ id: String, in catalog: Catalog) throws -> Evaluation {
    try catalog.database.read { db in try Evaluation.find(db, key: id) }
  }

  public static func models(_ catalog: Catalog) throws -> [ModelRow] {
    try catalog.database.read { db in
      let names = try datasetNames(db)
      let sites = try siteNames(db)
      let counts = Dictionary(
        try Row.fetchAll(db, sql: "SELECT model_id, count(*) FROM evaluation GROUP BY model_id").map {
          ($0[0] as String, $0[1] as Int)
        }, uniquingKeysWith: { a, _ in a })
      return try Model.order(Column("created_at"), Model.Columns.id).fetchAll(db).map { model in
        // Listing what is there: a setup this version cannot read still lists, without its details.
        let setup = try? ModelSetup.decode(model)
        return ModelRow(
          id: model.id, site: sites[model.siteId] ?? "?", dataset: names[model.datasetId] ?? model.datasetId,
          split: model.splitId, architecture: model.architecture, widthMultiplier: setup?.widthMultiplier,
          chosenEpoch: model.chosenEpoch, epochs: setup?.epochs, evaluations: counts[model.id] ?? 0,
          createdAt: model.createdAt)
      }
    }
  }

  public static func evaluations(_ catalog: Catalog) throws -> [EvaluationRow] {
    try catalog.database.read { db in
      let names = try datasetNames(db)
      let sites = try siteNames(db)
      return try Evaluation.order(Column("created_at"), Evaluation.Columns.id).fetchAll(db).map {
        evaluation in
        let report = try? EvaluationReport.decode(evaluation)
        return EvaluationRow(
          id: evaluation.id, site: sites[evaluation.siteId] ?? "?", model: evaluation.modelId,
          dataset: names[evaluation.datasetId] ?? evaluation.datasetId, part: evaluation.part.rawValue,
          cubes: report?.cube.metrics.count, accuracy: report?.cube.metrics.accuracy,
          auc: report?.cube.metrics.auc, videoAccuracy: report?.video.metrics.accuracy,
          createdAt: evaluation.createdAt)
      }
    }
  }

  static func siteNames(_ db: Database) throws -> [String: String] {
    Dictionary(uniqueKeysWithValues: try Site.fetchAll(db).map { ($0.id, $0.name) })
  }

  /// Dataset references as `pleura dataset list` shows them.
  static func datasetNames(_ db: Database) throws -> [String: String] {
    let sites = Dictionary(uniqueKeysWithValues: try Site.fetchAll(db).map { ($0.id, $0) })
    return Dictionary(
      uniqueKeysWithValues: try Dataset.fetchAll(db).map { ($0.id, $0.listedName(site: sites[$0.siteId])) })
  }
}

import Foundation
import GRDB
import Platform
import Tiling
import Training

/// What a report shows of each model, read from the catalog once: its dataset and split, its
/// evaluations with their per-cube scores, and the saliency strips of its `explain` runs.
struct ReportData {
  struct ModelEntry {
    var model: Model
    var setup: ModelSetup?
    var curves: [EpochCurve]
    var dataset: Dataset?
    var splitCounts: [DatasetViews.SplitCounts]
    var evaluations: [(evaluation: Evaluation, report: EvaluationReport?, scores: String?)]
    /// PNG bytes of each Figure-5 strip an `explain` run made for this model.
    var strips: [Data]
  }

  var site: String
  var models: [ModelEntry]

  enum ReportError: Error, CustomStringConvertible {
    case notAModel(String)
    case noModels

    var description: String {
      switch self {
      case .notAModel(let id): "\(id) is not a model of this catalog (see `pleura models`)"
      case .noModels: "this catalog has no model yet: `pleura train NAME@V` first"
      }
    }
  }

  /// The models named (every model of the catalog when none is).
  static func read(models ids: [String], catalog: Catalog) throws -> ReportData {
    try catalog.database.read { db in
      var models: [Model]
      if ids.isEmpty {
        models = try Model.order(Column("created_at"), Model.Columns.id).fetchAll(db)
        guard !models.isEmpty else { throw ReportError.noModels }
      } else {
        models = try ids.map { id in
          let ref = try? EntityLookup.resolve(id, in: db)
          guard let ref, ref.kind == .model, let model = try Model.fetchOne(db, key: ref.id) else {
            throw ReportError.notAModel(id)
          }
          return model
        }
      }
      let entries = try models.map { model in
        let evaluations = try Evaluation.filter(Evaluation.Columns.modelId == model.id)
          .order(Column("created_at"), Evaluation.Columns.id).fetchAll(db)
        return ModelEntry(
          model: model, setup: try? ModelSetup.decode(model),
          curves: (try? JSONDecoder().decode([EpochCurve].self, from: Data(model.curvesJson.utf8))) ?? [],
          dataset: try Dataset.fetchOne(db, key: model.datasetId),
          splitCounts: try DatasetViews.splitCounts(model.splitId, in: db),
          evaluations: evaluations.map { evaluation in
            (
              evaluation, try? EvaluationReport.decode(evaluation),
              evaluation.scoresSha256.flatMap { sha in
                (try? catalog.blobs.read(sha, of: "the scores of evaluation \(evaluation.id)")).map {
                  String(decoding: $0, as: UTF8.self)
                }
              }
            )
          },
          strips: try strips(of: model, db: db, blobs: catalog.blobs))
      }
      return ReportData(site: catalog.localSite.name, models: entries)
    }
  }

  /// The `strip.png` blobs listed in the summaries of the succeeded `explain` runs on the model.
  static func strips(of model: Model, db: Database, blobs: BlobStore) throws -> [Data] {
    let runIDs = try RunEdge.all().edges(.input, ofEntity: model.id).fetchAll(db).map(\.runId)
    let runs = try Run.fetchAll(db, keys: runIDs).filter {
      $0.plugin == ExplainPlugin.name && $0.status == .succeeded
    }
    return runs.sorted { $0.startedAt < $1.startedAt }.flatMap { run in
      (run.summary ?? "").split(separator: "\n").compactMap { line -> Data? in
        let parts = line.split(separator: " ")
        guard parts.count == 2, parts[0] == "strip.png" else { return nil }
        return try? blobs.read(String(parts[1]), of: "strip.png of run \(run.id)")
      }
    }
  }
}

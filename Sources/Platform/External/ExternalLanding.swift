import Foundation
import GRDB

/// Turns a checked result into what the runner lands: blobs stored, and a `persist` closure that
/// writes a model row per model output and an evaluation row per evaluation output (which may
/// name a model of the same result by its key), lets each dataset or conversion output write its
/// rows through the family that checked it (``ExternalOutputHandler``), and lists pictures in
/// the run's summary as `NAME SHA256` lines, the way `explain` attaches its pictures.
enum ExternalLanding {
  static func output(
    for result: ExternalPluginResult, stderr: [String], plugin: ExternalPlugin,
    request: ExternalPluginRequest,
    inputs: [EntityRef], catalog: Catalog
  ) async throws -> PluginOutput {
    let check = ExternalResultCheck(
      manifest: plugin.manifest, outputFolder: URL(fileURLWithPath: request.outputFolder), inputs: inputs)
    let checked: [ExternalResultCheck.Checked]
    do {
      checked = try await catalog.database.read { db in try check.check(result, in: db) }
    } catch let failure as ExternalResultCheck.Failure {
      throw ExternalPluginError.invalidResult(
        plugin: plugin.manifest.name, reason: failure.reason, stderr: stderr)
    }
    var stored: [String: [String: StoredBlob]] = [:]
    for item in checked {
      for (role, url) in item.files {
        stored[item.output.key, default: [:]][role] = try catalog.blobs.store(fileAt: url)
      }
    }
    let rows = stored
    let seed = request.seed
    let pictures = checked.filter { $0.output.kind == .pictures }.flatMap { item in
      (rows[item.output.key] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.sha256)" }
    }
    let summary = ([String((result.summary ?? "").prefix(500))] + pictures).filter { !$0.isEmpty }
      .joined(separator: "\n")
    return PluginOutput(summary: summary) { db, run in
      for blob in rows.values.flatMap(\.values) { try BlobRecord.register(blob, in: db) }
      var made: [EntityRef] = []
      var models: [String: String] = [:]
      // Models first, so that an evaluation can refer to one by key.
      for item in checked.sorted(by: {
        ($0.output.kind == .model ? 0 : 1) < ($1.output.kind == .model ? 0 : 1)
      }) {
        let output = item.output
        let meta = output.metadata
        switch output.kind {
        case .model:
          guard let weights = rows[output.key]?["weights"] else { continue }
          let model = Model(
            id: EntityKind.model.newID(), siteId: run.siteID, datasetId: meta["dataset"]?.stringValue ?? "",
            splitId: meta["split"]?.stringValue ?? "", architecture: meta["architecture"]?.stringValue ?? "",
            weightsSha256: weights.sha256,
            hyperparametersJson: try (meta["hyperparameters"] ?? .object([:])).canonicalText(),
            curvesJson: try (meta["curves"] ?? .object([:])).canonicalText(),
            chosenEpoch: Int(meta["chosenEpoch"]?.intValue ?? 0), seed: Int(meta["seed"]?.intValue ?? seed),
            createdAt: run.now)
          try model.insert(db)
          models[output.key] = model.id
          made.append(EntityRef(.model, model.id))
        case .evaluation:
          let modelKey = meta["model"]?.stringValue ?? ""
          let evaluation = Evaluation(
            id: EntityKind.evaluation.newID(), siteId: run.siteID, modelId: models[modelKey] ?? modelKey,
            datasetId: meta["dataset"]?.stringValue ?? "",
            part: Evaluation.Part(rawValue: meta["part"]?.stringValue ?? "") ?? .all,
            metricsJson: try (meta["metrics"] ?? .object([:])).canonicalText(),
            scoresSha256: rows[output.key]?["scores"]?.sha256, createdAt: run.now)
          try evaluation.insert(db)
          made.append(EntityRef(.evaluation, evaluation.id))
        case .dataset, .conversion:
          guard let handled = item.handled else { continue }
          made += try handled.persist(blobs: rows[output.key] ?? [:], in: db, run: run)
        case .pictures: continue
        }
      }
      return made
    }
  }
}

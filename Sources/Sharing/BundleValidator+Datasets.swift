import Foundation
import Platform

/// Validation steps for what was made from the videos: the dataset and its cubes, splits,
/// models and evaluations, and the runs that made them.
extension BundleValidator {
  func checkDatasetAndCubes(_ known: Known) throws {
    let dataset = content.datasets[0]
    try need(known.sites, dataset.siteId, "dataset.json", 0, "siteId")
    try rule("dataset.json", 0) {
      try RecordRules.datasetName(dataset.name)
      try RecordRules.word("createdAt", dataset.createdAt)
    }
    try json("dataset.json", 0, dataset.recipeJson, dataset.summaryJson)
    try range("dataset.json", 0, dataset.version)
    for (i, cube) in content.cubes.enumerated() {
      try need(known.datasets, cube.datasetId, "cube.json", i, "datasetId")
      try need(known.conversions, cube.conversionId, "cube.json", i, "conversionId")
      try need(known.rois, cube.roiId, "cube.json", i, "roiId")
      try need(known.patients, cube.patientId, "cube.json", i, "patientId")
      try need(known.storedBlobs, cube.shardSha256, "cube.json", i, "shardSha256")
      guard (1...100_000).contains(cube.frames), (1...4096).contains(cube.size),
        (0...100_000_000).contains(cube.shardIndex)
      else {
        throw ImportError.badRow(
          file: "cube.json", index: i, reason: "frames, size or shard index out of range")
      }
      try counts("cube.json", i, cube.clipIndex, cube.firstFrame, cube.tileRow, cube.tileCol)
      // Each bound alone is sane, their product need not fit in Int64: an overflow lies beyond any shard.
      let cubeBytes = Int64(cube.frames) * Int64(cube.size) * Int64(cube.size)
      let (needed, overflow) = Int64(cube.shardIndex + 1).multipliedReportingOverflow(by: cubeBytes)
      guard !overflow, let shard = known.blobs[cube.shardSha256], shard.size > needed else {
        throw ImportError.badRow(
          file: "cube.json", index: i, reason: "cube \(cube.shardIndex) lies beyond the end of its shard")
      }
    }
  }

  func checkSplits(_ known: Known) throws {
    for (i, split) in content.splits.enumerated() {
      try need(known.sites, split.siteId, "split.json", i, "siteId")
      try need(known.datasets, split.datasetId, "split.json", i, "datasetId")
      try json("split.json", i, split.parametersJson)
      try rule("split.json", i) { try RecordRules.word("createdAt", split.createdAt) }
    }
    for (i, assignment) in content.splitAssignments.enumerated() {
      try need(known.splits, assignment.splitId, "split_assignment.json", i, "splitId")
      try need(known.patients, assignment.patientId, "split_assignment.json", i, "patientId")
    }
  }

  /// Runs as the runner records them: printable plugin names, versions and times, JSON
  /// parameters; every edge between a run and an entity of the bundle, of the right kind.
  func checkRuns(_ known: Known) throws {
    for (i, run) in content.runs.enumerated() {
      try need(known.sites, run.siteId, "run.json", i, "siteId")
      try rule("run.json", i) {
        try RecordRules.word("plugin", run.plugin)
        try RecordRules.word("pluginVersion", run.pluginVersion)
        try RecordRules.word("platformVersion", run.platformVersion)
        try RecordRules.word("startedAt", run.startedAt)
        if let ended = run.endedAt { try RecordRules.word("endedAt", ended) }
      }
      // An external plugin's digests (docs/PLUGINS.md) are SHA-256 hex, or absent.
      for (field, digest) in [
        ("pluginManifestSha256", run.pluginManifestSha256), ("pluginCommandSha256", run.pluginCommandSha256),
      ] {
        guard let digest else { continue }
        guard BlobStore.isValidName(digest) else {
          throw ImportError.badRow(file: "run.json", index: i, reason: "\(field) is not a SHA-256")
        }
      }
      try json("run.json", i, run.parametersJson)
      try text("run.json", i, run.summary ?? "", run.error ?? "")
    }
    for (i, edge) in content.runEdges.enumerated() {
      try need(known.runs, edge.runId, "run_edge.json", i, "runId")
      try need(known.entities, edge.entityId, "run_edge.json", i, "entityId")
      guard EntityKind.of(id: edge.entityId) == edge.entityKind else {
        throw ImportError.badRow(
          file: "run_edge.json", index: i,
          reason: "kind \(edge.entityKind.rawValue) does not match \(edge.entityId)")
      }
    }
  }

  /// Models of this dataset, trained on one of its splits, with their weights in the bundle;
  /// evaluations of those models on this dataset, with their scores (if any) in the bundle.
  func checkModels(_ known: Known) throws {
    let dataset = content.datasets[0].id
    for (i, model) in content.models.enumerated() {
      try need(known.sites, model.siteId, "model.json", i, "siteId")
      try same(model.datasetId, dataset, "model.json", i, "datasetId")
      try need(known.splits, model.splitId, "model.json", i, "splitId")
      try shipped(known.storedBlobs, model.weightsSha256, "model.json", i, "weightsSha256")
      try rule("model.json", i) {
        try RecordRules.word("architecture", model.architecture)
        try RecordRules.word("createdAt", model.createdAt)
      }
      try json("model.json", i, model.hyperparametersJson, model.curvesJson)
      try range("model.json", i, model.chosenEpoch)
    }
    for (i, evaluation) in content.evaluations.enumerated() {
      try need(known.sites, evaluation.siteId, "evaluation.json", i, "siteId")
      try need(known.models, evaluation.modelId, "evaluation.json", i, "modelId")
      try same(evaluation.datasetId, dataset, "evaluation.json", i, "datasetId")
      if let scores = evaluation.scoresSha256 {
        try shipped(known.storedBlobs, scores, "evaluation.json", i, "scoresSha256")
      }
      try rule("evaluation.json", i) { try RecordRules.word("createdAt", evaluation.createdAt) }
      try json("evaluation.json", i, evaluation.metricsJson)
    }
  }
}

import Bag
import Foundation
import Platform

/// Checks a bundle's rows before anything is written: well-formed ids and hashes, sane sizes,
/// every reference resolved inside the bundle, every shipped blob present and matching.
struct BundleValidator {
  let content: BundleContent
  let payload: [String: VerifiedBag.PayloadFile]

  func run() throws {
    guard content.datasets.count == 1 else {
      throw ImportError.badRow(
        file: "dataset.json", index: 0,
        reason: "a bundle holds exactly one dataset, this one \(content.datasets.count)")
    }
    let sites = try ids("site.json", content.sites.map(\.id), .site)
    let patients = try ids("patient.json", content.patients.map(\.id), .patient)
    let videos = try ids("source_video.json", content.sourceVideos.map(\.id), .sourceVideo)
    let conversions = try ids("conversion.json", content.conversions.map(\.id), .conversion)
    let rois = try ids("roi_annotation.json", content.roiAnnotations.map(\.id), .roi)
    let labels = try ids("label_annotation.json", content.labelAnnotations.map(\.id), .label)
    let datasets = try ids("dataset.json", content.datasets.map(\.id), .dataset)
    let cubes = try ids("cube.json", content.cubes.map(\.id), .cube)
    let splits = try ids("split.json", content.splits.map(\.id), .split)
    let models = try ids("model.json", content.models.map(\.id), .model)
    let evaluations = try ids("evaluation.json", content.evaluations.map(\.id), .evaluation)
    let runs = try ids("run.json", content.runs.map(\.id), .run)
    var blobs: [String: BlobRecord] = [:]
    for (index, blob) in content.blobs.enumerated() {
      guard BlobStore.isValidName(blob.sha256), blob.size >= 0, blobs[blob.sha256] == nil else {
        throw ImportError.badRow(
          file: "blob.json", index: index,
          reason: "'\(blob.sha256.prefix(80))' is not a new SHA-256 with a size")
      }
      blobs[blob.sha256] = blob
      if blob.stored {
        guard let file = payload["data/blobs/\(blob.sha256)"], file.sha256 == blob.sha256,
          file.size == blob.size
        else {
          throw ImportError.badRow(
            file: "blob.json", index: index,
            reason: "blob \(blob.sha256) is not in data/blobs or does not match its name")
        }
      }
    }
    let storedBlobs = Set(blobs.values.filter(\.stored).map(\.sha256))

    // What the schema holds unique, checked here so that a refusal names the file and row
    // instead of surfacing as a constraint error from inside the transaction.
    try once("site.json", content.sites.map { [$0.uuid] }, "uuid")
    try once("patient.json", content.patients.map { [$0.siteId, $0.code] }, "site and code")
    try once("source_video.json", content.sourceVideos.map { [$0.siteId, $0.blobSha256] }, "site and blob")
    try once(
      "conversion.json", content.conversions.map { [$0.sourceVideoId, $0.parametersJson] },
      "video and parameters")
    try once(
      "roi_annotation.json", content.roiAnnotations.map { [$0.sourceVideoId, "\($0.version)"] },
      "video and version")
    try once(
      "label_annotation.json", content.labelAnnotations.map { [$0.sourceVideoId, "\($0.version)"] },
      "video and version")
    try once(
      "split_assignment.json", content.splitAssignments.map { [$0.splitId, $0.patientId] },
      "split and patient")
    for (i, site) in content.sites.enumerated() {
      try text("site.json", i, site.name, site.uuid)
      guard UUID(uuidString: site.uuid) != nil else {
        throw ImportError.badRow(file: "site.json", index: i, reason: "uuid is not a UUID")
      }
      // Exporters write every site as another's; only the catalog's own site is local (the
      // schema allows one, and this catalog has it).
      guard !site.isLocal else {
        throw ImportError.badRow(
          file: "site.json", index: i, reason: "it claims to be this catalog's own site")
      }
    }
    for (i, patient) in content.patients.enumerated() {
      try need(sites, patient.siteId, "patient.json", i, "siteId")
      try text("patient.json", i, patient.code)
    }
    for (i, video) in content.sourceVideos.enumerated() {
      try need(sites, video.siteId, "source_video.json", i, "siteId")
      try need(patients, video.patientId, "source_video.json", i, "patientId")
      try need(Set(blobs.keys), video.blobSha256, "source_video.json", i, "blobSha256")
      try text("source_video.json", i, video.fileName, video.notes ?? "", video.container, video.codec)
      try range("source_video.json", i, video.width, video.height, video.fpsNum, video.fpsDen)
      try counts("source_video.json", i, video.frameCount)
      try duration("source_video.json", i, video.durationSeconds)
    }
    for (i, conversion) in content.conversions.enumerated() {
      try need(sites, conversion.siteId, "conversion.json", i, "siteId")
      try need(videos, conversion.sourceVideoId, "conversion.json", i, "sourceVideoId")
      try need(Set(blobs.keys), conversion.blobSha256, "conversion.json", i, "blobSha256")
      try text("conversion.json", i, conversion.parametersJson, conversion.container, conversion.codec)
      try range(
        "conversion.json", i, conversion.width, conversion.height, conversion.fpsNum, conversion.fpsDen)
      try counts("conversion.json", i, conversion.frameCount)
      try duration("conversion.json", i, conversion.durationSeconds)
    }
    let versions = Dictionary(
      content.roiAnnotations.map { ($0.id, ($0.sourceVideoId, $0.version)) }, uniquingKeysWith: { a, _ in a })
    for (i, roi) in content.roiAnnotations.enumerated() {
      try need(sites, roi.siteId, "roi_annotation.json", i, "siteId")
      try need(videos, roi.sourceVideoId, "roi_annotation.json", i, "sourceVideoId")
      if let conversion = roi.conversionId {
        try need(conversions, conversion, "roi_annotation.json", i, "conversionId")
      }
      if let previous = roi.supersedesId {
        try need(rois, previous, "roi_annotation.json", i, "supersedesId")
        // Versions are written in order, each after the one it supersedes.
        guard let (video, version) = versions[previous], video == roi.sourceVideoId, version < roi.version
        else {
          throw ImportError.badRow(
            file: "roi_annotation.json", index: i,
            reason: "it supersedes \(previous), which is not an earlier version for the same video")
        }
      }
      try text("roi_annotation.json", i, roi.author)
      try range("roi_annotation.json", i, roi.width, roi.height, roi.version)
      try counts("roi_annotation.json", i, roi.x, roi.y)
    }
    let labelVersions = Dictionary(
      content.labelAnnotations.map { ($0.id, ($0.sourceVideoId, $0.version)) },
      uniquingKeysWith: { a, _ in a })
    for (i, label) in content.labelAnnotations.enumerated() {
      try need(sites, label.siteId, "label_annotation.json", i, "siteId")
      try need(videos, label.sourceVideoId, "label_annotation.json", i, "sourceVideoId")
      if let previous = label.supersedesId {
        try need(labels, previous, "label_annotation.json", i, "supersedesId")
        guard let (video, version) = labelVersions[previous], video == label.sourceVideoId,
          version < label.version
        else {
          throw ImportError.badRow(
            file: "label_annotation.json", index: i,
            reason: "it supersedes \(previous), which is not an earlier version for the same video")
        }
      }
      try text("label_annotation.json", i, label.author)
      try range("label_annotation.json", i, label.version)
    }
    let dataset = content.datasets[0]
    try need(sites, dataset.siteId, "dataset.json", 0, "siteId")
    try text("dataset.json", 0, dataset.name, dataset.recipeJson, dataset.summaryJson)
    try range("dataset.json", 0, dataset.version)
    for (i, cube) in content.cubes.enumerated() {
      try need(datasets, cube.datasetId, "cube.json", i, "datasetId")
      try need(conversions, cube.conversionId, "cube.json", i, "conversionId")
      try need(rois, cube.roiId, "cube.json", i, "roiId")
      try need(patients, cube.patientId, "cube.json", i, "patientId")
      try need(storedBlobs, cube.shardSha256, "cube.json", i, "shardSha256")
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
      guard !overflow, let shard = blobs[cube.shardSha256], shard.size > needed else {
        throw ImportError.badRow(
          file: "cube.json", index: i, reason: "cube \(cube.shardIndex) lies beyond the end of its shard")
      }
    }
    for (i, split) in content.splits.enumerated() {
      try need(sites, split.siteId, "split.json", i, "siteId")
      try need(datasets, split.datasetId, "split.json", i, "datasetId")
      try text("split.json", i, split.parametersJson)
    }
    for (i, assignment) in content.splitAssignments.enumerated() {
      try need(splits, assignment.splitId, "split_assignment.json", i, "splitId")
      try need(patients, assignment.patientId, "split_assignment.json", i, "patientId")
    }
    try checkModels(sites: sites, splits: splits, models: models, storedBlobs: storedBlobs)
    for (i, run) in content.runs.enumerated() {
      try need(sites, run.siteId, "run.json", i, "siteId")
      try text(
        "run.json", i, run.plugin, run.pluginVersion, run.parametersJson, run.summary ?? "", run.error ?? "")
    }
    let entities = patients.union(videos).union(conversions).union(rois).union(labels).union(datasets).union(
      cubes
    )
    .union(splits).union(models).union(evaluations)
    for (i, edge) in content.runEdges.enumerated() {
      try need(runs, edge.runId, "run_edge.json", i, "runId")
      try need(entities, edge.entityId, "run_edge.json", i, "entityId")
      guard EntityKind.of(id: edge.entityId) == edge.entityKind else {
        throw ImportError.badRow(
          file: "run_edge.json", index: i,
          reason: "kind \(edge.entityKind.rawValue) does not match \(edge.entityId)")
      }
    }
  }

  /// Models of this dataset, trained on one of its splits, with their weights in the bundle;
  /// evaluations of those models on this dataset, with their scores (if any) in the bundle.
  func checkModels(sites: Set<String>, splits: Set<String>, models: Set<String>, storedBlobs: Set<String>)
    throws
  {
    let dataset = content.datasets[0].id
    for (i, model) in content.models.enumerated() {
      try need(sites, model.siteId, "model.json", i, "siteId")
      try same(model.datasetId, dataset, "model.json", i, "datasetId")
      try need(splits, model.splitId, "model.json", i, "splitId")
      try shipped(storedBlobs, model.weightsSha256, "model.json", i, "weightsSha256")
      try text("model.json", i, model.architecture, model.createdAt)
      try json("model.json", i, model.hyperparametersJson, model.curvesJson)
      try range("model.json", i, model.chosenEpoch)
    }
    for (i, evaluation) in content.evaluations.enumerated() {
      try need(sites, evaluation.siteId, "evaluation.json", i, "siteId")
      try need(models, evaluation.modelId, "evaluation.json", i, "modelId")
      try same(evaluation.datasetId, dataset, "evaluation.json", i, "datasetId")
      if let scores = evaluation.scoresSha256 {
        try shipped(storedBlobs, scores, "evaluation.json", i, "scoresSha256")
      }
      try text("evaluation.json", i, evaluation.createdAt)
      try json("evaluation.json", i, evaluation.metricsJson)
    }
  }

  func need(_ set: Set<String>, _ value: String, _ file: String, _ index: Int, _ field: String) throws {
    guard set.contains(value) else {
      throw ImportError.missingReference(
        file: file, index: index, field: field, value: String(value.prefix(80)))
    }
  }

  /// Weights and scores are of use only with their bytes, so they must travel.
  func shipped(_ stored: Set<String>, _ sha: String, _ file: String, _ index: Int, _ field: String) throws {
    guard stored.contains(sha) else {
      throw ImportError.badRow(
        file: file, index: index, reason: "\(field) \(sha.prefix(80)) is not among the blobs in data/blobs")
    }
  }

  /// A row of this bundle's dataset must name it: a bundle carries one dataset and nothing of another.
  func same(_ value: String, _ dataset: String, _ file: String, _ index: Int, _ field: String) throws {
    guard value == dataset else {
      throw ImportError.badRow(
        file: file, index: index,
        reason: "\(field) \(value.prefix(80)) is not the bundle's dataset \(dataset)")
    }
  }

  /// Text fields the catalog and the plugins read back as JSON: bounded, and JSON.
  func json(_ file: String, _ index: Int, _ values: String...) throws {
    for value in values {
      try text(file, index, value)
      guard (try? JSONSerialization.jsonObject(with: Data(value.utf8), options: .fragmentsAllowed)) != nil
      else {
        throw ImportError.badRow(file: file, index: index, reason: "a JSON field is not valid JSON")
      }
    }
  }

  /// Ids of the right kind, each once.
  func ids(_ file: String, _ values: [String], _ kind: EntityKind) throws -> Set<String> {
    var seen: Set<String> = []
    for (index, id) in values.enumerated() {
      let hex = id.dropFirst(kind.idPrefix.count + 1)
      guard id.hasPrefix(kind.idPrefix + "_"), hex.count == 16, hex.allSatisfy(\.isHexDigit),
        seen.insert(id).inserted
      else {
        throw ImportError.badRow(
          file: file, index: index, reason: "'\(id.prefix(80))' is not a new \(kind.displayName) id")
      }
    }
    return seen
  }

  func text(_ file: String, _ index: Int, _ values: String...) throws {
    for value in values where value.utf8.count > BundleImporter.maxTextLength {
      throw ImportError.badRow(file: file, index: index, reason: "a text field is longer than 1 MiB")
    }
  }

  func range(_ file: String, _ index: Int, _ values: Int...) throws {
    for value in values where !(1...1_000_000_000).contains(value) {
      throw ImportError.badRow(
        file: file, index: index, reason: "a size, rate or version (\(value)) is out of range")
    }
  }

  /// Frame counts, positions and indexes: never negative (the schema's CHECKs), never absurd.
  func counts(_ file: String, _ index: Int, _ values: Int...) throws {
    for value in values where !(0...1_000_000_000).contains(value) {
      throw ImportError.badRow(
        file: file, index: index, reason: "a count, position or index (\(value)) is out of range")
    }
  }

  func duration(_ file: String, _ index: Int, _ seconds: Double) throws {
    guard (0...1e9).contains(seconds) else {
      throw ImportError.badRow(file: file, index: index, reason: "duration \(seconds) s is out of range")
    }
  }

  /// Each key once among the rows of `file`.
  func once(_ file: String, _ keys: [[String]], _ what: String) throws {
    var seen: Set<[String]> = []
    for (index, key) in keys.enumerated() where !seen.insert(key).inserted {
      throw ImportError.badRow(file: file, index: index, reason: "another row has the same \(what)")
    }
  }
}

import Bag
import Foundation
import Platform

/// Checks a bundle's rows before anything is written: well-formed ids and hashes, sane sizes,
/// every reference resolved inside the bundle, every shipped blob present and matching.
struct BundleValidator {
  let content: BundleContent
  let payload: [String: VerifiedBag.PayloadFile]

  /// The ids of every table, each checked well-formed and unique, and the blobs by hash.
  struct Known {
    var sites: Set<String>
    var patients: Set<String>
    var videos: Set<String>
    var conversions: Set<String>
    var rois: Set<String>
    var labels: Set<String>
    var datasets: Set<String>
    var cubes: Set<String>
    var splits: Set<String>
    var models: Set<String>
    var evaluations: Set<String>
    var runs: Set<String>
    var blobs: [String: BlobRecord]
    var storedBlobs: Set<String>

    var entities: Set<String> {
      patients.union(videos).union(conversions).union(rois).union(labels).union(datasets).union(cubes).union(
        splits
      )
      .union(models).union(evaluations)
    }
  }

  /// Every step in order; each names the file and row it refuses.
  func run() throws {
    guard content.datasets.count == 1 else {
      throw ImportError.badRow(
        file: "dataset.json", index: 0,
        reason: "a bundle holds exactly one dataset, this one \(content.datasets.count)")
    }
    var known = try checkIDs()
    known.blobs = try checkBlobs()
    known.storedBlobs = Set(known.blobs.values.filter(\.stored).map(\.sha256))
    try checkUniqueKeys()
    try checkSites()
    try checkPatients(known)
    try checkVideos(known)
    try checkConversions(known)
    try checkROIs(known)
    try checkLabels(known)
    try checkDatasetAndCubes(known)
    try checkSplits(known)
    try checkModels(known)
    try checkRuns(known)
  }

  /// Ids of the right kind, each once, in every table.
  func checkIDs() throws -> Known {
    Known(
      sites: try ids("site.json", content.sites.map(\.id), .site),
      patients: try ids("patient.json", content.patients.map(\.id), .patient),
      videos: try ids("source_video.json", content.sourceVideos.map(\.id), .sourceVideo),
      conversions: try ids("conversion.json", content.conversions.map(\.id), .conversion),
      rois: try ids("roi_annotation.json", content.roiAnnotations.map(\.id), .roi),
      labels: try ids("label_annotation.json", content.labelAnnotations.map(\.id), .label),
      datasets: try ids("dataset.json", content.datasets.map(\.id), .dataset),
      cubes: try ids("cube.json", content.cubes.map(\.id), .cube),
      splits: try ids("split.json", content.splits.map(\.id), .split),
      models: try ids("model.json", content.models.map(\.id), .model),
      evaluations: try ids("evaluation.json", content.evaluations.map(\.id), .evaluation),
      runs: try ids("run.json", content.runs.map(\.id), .run), blobs: [:], storedBlobs: [])
  }

  /// Each blob once, by a SHA-256 name; those marked stored are in `data/blobs/` and match.
  func checkBlobs() throws -> [String: BlobRecord] {
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
    return blobs
  }

  /// What the schema holds unique, checked here so that a refusal names the file and row
  /// instead of surfacing as a constraint error from inside the transaction.
  func checkUniqueKeys() throws {
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
  }

  func checkSites() throws {
    for (i, site) in content.sites.enumerated() {
      try rule("site.json", i) { try RecordRules.siteName(site.name) }
      try text("site.json", i, site.uuid)
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
  }

  func checkPatients(_ known: Known) throws {
    for (i, patient) in content.patients.enumerated() {
      try need(known.sites, patient.siteId, "patient.json", i, "siteId")
      try rule("patient.json", i) { try RecordRules.patientCode(patient.code) }
      try rule("patient.json", i) { try RecordRules.word("createdAt", patient.createdAt) }
    }
  }
}

import Bag
import Crypto
import Foundation
import GRDB
import Media
import Platform

public enum ExportError: Error, CustomStringConvertible {
  case outputExists(String)
  case pseudonymizationIncomplete(String)
  case missingBlob(String)
  case damagedBlob(String, entity: String)

  public var description: String {
    switch self {
    case .outputExists(let path): "\(path) already exists; choose another file or remove it"
    case .pseudonymizationIncomplete(let file):
      "pseudonymization left identifying text in \(file); nothing was exported"
    case .missingBlob(let sha): "blob \(sha) is not in this catalog's store; run `pleura verify`"
    case .damagedBlob(let sha, let entity):
      "blob \(sha) in this catalog's store no longer matches its checksum (\(entity)); run `pleura verify`; "
        + "nothing was exported"
    }
  }
}

/// `pleura export`: a dataset version with its cubes, shards, splits, ROI versions and the whole
/// provenance chain as a BagIt bag in `.tar.zst` (or `.tar.gz`), with RO-Crate metadata.
/// Original videos and conversions travel only when asked, and so do the models trained on the
/// dataset with their evaluations; exported videos carry no container metadata. Patient codes
/// can be replaced by keyed hashes whose key stays here.
public struct BundleExporter {
  public struct Options: Sendable {
    public var withSources = false
    public var withConversions = false
    /// The models trained on the dataset (weights included) and their evaluations on it.
    public var withModels = false
    public var pseudonymizer: Pseudonymizer?
    public var gzip = false
    public init() {}
  }

  public struct Summary: Codable, Sendable {
    public var file: String
    public var dataset: String
    public var rows: [String: Int]
    public var blobsIncluded: Int
    public var payloadBytes: Int64
    public var archiveBytes: Int64
    public var pseudonymized: Bool
    public var runID: String
  }

  public static let pluginName = "export"
  public static let version = SemanticVersion(1, 0, 0)

  let catalog: Catalog
  /// Told of each blob written to the archive.
  public var progress: ProgressSink = .silent

  public init(catalog: Catalog) { self.catalog = catalog }

  public func export(_ reference: String, to file: URL, options: Options) throws -> Summary {
    guard !FileManager.default.fileExists(atPath: file.path) else {
      throw ExportError.outputExists(file.path)
    }
    var content = try collect(reference, options: options)
    let dataset = content.datasets[0]
    let scratch = try catalog.scratchFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }

    var payloadBlobs: [String: URL] = [:]
    for sha in try blobsToShip(content, options: options) {
      payloadBlobs[sha] = try catalog.blobs.url(for: sha)
    }
    /// Ships `file` in place of the blob `original`; returns the copy's hash for the rows to name.
    func substitute(_ original: String, with file: URL) throws -> String {
      let (sha, size) = try SHA256Hex.digest(fileAt: file)
      payloadBlobs.removeValue(forKey: original)
      payloadBlobs[sha] = file
      content.blobs.append(BlobRecord(StoredBlob(sha256: sha, size: size)))
      return sha
    }
    // Source videos travel without their container metadata: a stripped copy replaces the bytes.
    if options.withSources {
      for index in content.sourceVideos.indices {
        let video = content.sourceVideos[index]
        let stripped = scratch.appendingPathComponent(
          "\(video.id).\(URL(fileURLWithPath: video.fileName).pathExtension)")
        try catalog.blobs.withNamedPath(
          video.blobSha256, of: "source video \(video.id) (\(video.fileName))", fileName: video.fileName
        ) { url in
          try MetadataStripper.strip(input: url, output: stripped)
        }
        content.sourceVideos[index].blobSha256 = try substitute(video.blobSha256, with: stripped)
      }
    }
    // Rows first; then the shards' sidecar CSVs, which name each cube's patient by code: a
    // rewritten copy replaces each one, under its new hash in the dataset summary.
    var sensitive: SensitiveValues?
    if let pseudonymizer = options.pseudonymizer {
      let values = try SensitiveValues.collect(from: catalog, pseudonymizer: pseudonymizer)
      sensitive = values
      try Pseudonymization.apply(pseudonymizer, values: values, to: &content)
      let replace = values.replacer()
      for sidecar in content.datasetSidecars.sorted() {
        let text = String(
          decoding: try catalog.blobs.read(sidecar, of: "a cube sidecar of \(dataset.reference)"),
          as: UTF8.self)
        let rewritten = scratch.appendingPathComponent("\(sidecar).csv")
        try Data(replace(text).utf8).write(to: rewritten)
        let sha = try substitute(sidecar, with: rewritten)
        for index in content.datasets.indices {
          content.datasets[index].summaryJson = content.datasets[index].summaryJson.replacingOccurrences(
            of: sidecar, with: sha)
        }
      }
    }
    // Every blob a row references, once, marked stored when its bytes travel (a stripped
    // source or a rewritten sidecar replaces the original, which then drops out).
    let shipped = Set(payloadBlobs.keys)
    let referenced = content.referencedBlobs
    var seen: Set<String> = []
    content.blobs = content.blobs.filter { referenced.contains($0.sha256) && seen.insert($0.sha256).inserted }
      .map { blob in
        var blob = blob
        blob.stored = shipped.contains(blob.sha256)
        return blob
      }
    let files = try content.encodedFiles()
    let crate = try RoCrateBuilder.crate(for: content, blobs: shipped).jsonData()
    var info = BagInfo()
    info.append(
      BundleContent.InfoKey.siteName,
      options.pseudonymizer.map { $0.pseudonym(catalog.localSite.name, kind: .site) }
        ?? catalog.localSite.name)
    info.append(BundleContent.InfoKey.siteUUID, catalog.localSite.uuid)
    info.append(BundleContent.InfoKey.dataset, "\(dataset.name)@\(dataset.version)")
    info.append(BundleContent.InfoKey.version, PlatformVersion.current)
    info.append(BundleContent.InfoKey.schema, "\(Catalog.schemaVersion)")
    info.append(BundleContent.InfoKey.pseudonymized, options.pseudonymizer == nil ? "no" : "yes")
    if let sensitive {
      let infoText = info.fields.map { "\($0.label): \($0.value)" }.joined(separator: "\n")
      try Pseudonymization.check(
        files + [(RoCrate.metadataFileName, crate, 0), ("bag-info.txt", Data(infoText.utf8), 0)]
          + (try shippedTextFiles(content, payloadBlobs)),
        against: sensitive)
    }

    let compression: BagCompression = options.gzip ? .gzip() : .zstd()
    // Recorded before the partial file exists, so a kill -9 leaves a run the next open marks
    // interrupted, and a prefix it uses to remove the partial file.
    let run = try ServiceRun.begin(
      catalog, plugin: Self.pluginName, version: Self.version,
      parametersJSON: try runParameters(reference: dataset.reference, file: file, options: options),
      inputs: [EntityRef(.dataset, dataset.id)])
    let writer: BagWriter
    do {
      writer = try BagWriter(
        creating: file, bagName: "\(dataset.name)-\(dataset.version)", compression: compression,
        partialPrefix: try run.recordPartialFile(beside: file))
    } catch {
      run.fail(catalog.describe(error))
      throw error
    }
    do {
      for file in files { try writer.addData(file.data, as: "catalog/\(file.name)") }
      // The store's bytes are hashed on the way out anyway: a blob that no longer matches its
      // name (disk damage) stops the export instead of travelling under a checksum it fails.
      for (index, (sha, file)) in payloadBlobs.sorted(by: { $0.key < $1.key }).enumerated() {
        let written = try writer.addFile(at: file, as: "blobs/\(sha)")
        guard written == sha else { throw ExportError.damagedBlob(sha, entity: content.owner(of: sha)) }
        progress("export", index + 1, payloadBlobs.count, unit: "blobs")
      }
      try writer.addData(crate, as: RoCrate.metadataFileName)
      DebugHooks.pauseBeforeServiceCommit()
      let bag = try writer.finish(info: info)
      try run.succeed(summary: "exported \(dataset.reference) to \(file.lastPathComponent)")
      return Summary(
        file: file.path, dataset: dataset.reference,
        rows: Dictionary(uniqueKeysWithValues: files.map { ($0.name, $0.rows) }),
        blobsIncluded: shipped.count, payloadBytes: bag.payloadBytes, archiveBytes: bag.archiveBytes,
        pseudonymized: options.pseudonymizer != nil, runID: run.id)
    } catch {
      writer.cancel()
      try? FileManager.default.removeItem(at: file)
      run.fail(catalog.describe(error))
      throw error
    }
  }

  /// Shards and sidecars always; weights and scores of the models collected (only with
  /// `withModels`); conversions and sources when asked.
  func blobsToShip(_ content: BundleContent, options: Options) throws -> [String] {
    var shas = content.datasetBlobs.union(content.modelBlobs)
    if options.withConversions { shas.formUnion(content.conversions.map(\.blobSha256)) }
    if options.withSources { shas.formUnion(content.sourceVideos.map(\.blobSha256)) }
    for sha in shas where !catalog.blobs.contains(sha) { throw ExportError.missingBlob(sha) }
    return shas.sorted()
  }

  /// The evaluations' score tables, for the pseudonymization check. They hold ids, labels and
  /// scores only (see `EvaluatePlugin`), so this is a safety net, not a rewrite.
  /// The text blobs that travel (sidecars, evaluation scores), as shipped, for the final check.
  func shippedTextFiles(_ content: BundleContent, _ payload: [String: URL]) throws -> [(
    name: String, data: Data, rows: Int
  )] {
    let sidecars = content.datasetSidecars.sorted().map { ("the sidecar blobs/\($0)", $0) }
    let scores = content.evaluations.compactMap { evaluation in
      evaluation.scoresSha256.map { ("the scores of \(evaluation.id) (blobs/\($0))", $0) }
    }
    return try (sidecars + scores).compactMap { name, sha in
      try payload[sha].map { (name, try Data(contentsOf: $0), 0) }
    }
  }

  /// The dataset, everything it was made from, and every run on the way.
  func collect(_ reference: String, options: Options) throws -> BundleContent {
    try catalog.database.read { db in
      var content = BundleContent()
      let dataset = try Dataset.find(reference, in: db)
      content.datasets = [dataset]
      content.cubes = try Cube.filter(Cube.Columns.datasetId == dataset.id).order(Column("rowid")).fetchAll(
        db)
      content.splits = try Split.filter(Split.Columns.datasetId == dataset.id).fetchAll(db)
      let splitIDs = content.splits.map(\.id)
      content.splitAssignments = try SplitAssignment.filter(
        splitIDs.contains(SplitAssignment.Columns.splitId)
      ).fetchAll(db)
      // Every ROI version of the exported videos travels, so their history (and its chain of
      // superseded versions) arrives whole.
      let cubeConversions = try Conversion.fetchAll(db, keys: Array(Set(content.cubes.map(\.conversionId))))
      let videoIDs = Set(cubeConversions.map(\.sourceVideoId))
      content.roiAnnotations = try RoiAnnotation.filter(
        videoIDs.contains(RoiAnnotation.Columns.sourceVideoId)
      )
      .order(RoiAnnotation.Columns.sourceVideoId, RoiAnnotation.Columns.version).fetchAll(db)
      content.labelAnnotations = try LabelAnnotation.filter(
        videoIDs.contains(LabelAnnotation.Columns.sourceVideoId)
      )
      .order(LabelAnnotation.Columns.sourceVideoId, LabelAnnotation.Columns.version).fetchAll(db)
      let conversionIDs = Set(cubeConversions.map(\.id)).union(
        content.roiAnnotations.compactMap(\.conversionId))
      content.conversions = try Conversion.fetchAll(db, keys: Array(conversionIDs)).sorted { $0.id < $1.id }
      content.sourceVideos = try SourceVideo.fetchAll(db, keys: Array(videoIDs)).sorted { $0.id < $1.id }
      if options.withModels { try collectModels(of: dataset, into: &content, in: db) }
      let patientIDs = Set(content.sourceVideos.map(\.patientId)).union(content.cubes.map(\.patientId))
        .union(content.splitAssignments.map(\.patientId))
      content.patients = try Patient.fetchAll(db, keys: Array(patientIDs)).sorted { $0.id < $1.id }

      // Runs: whatever made an exported entity. Their inputs are exported entities too, except
      // where a run also read one that stays here (the earlier split a retrain's split continues,
      // the model a fine-tuned one started from, both of another dataset): an edge to a row the
      // bundle lacks would be refused, so edges keep to the rows that travel.
      let travelling = Set(
        [dataset.id] + content.cubes.map(\.id) + splitIDs + content.roiAnnotations.map(\.id)
          + content.labelAnnotations.map(\.id)
          + content.conversions.map(\.id) + content.sourceVideos.map(\.id) + content.patients.map(\.id)
          + content.models.map(\.id) + content.evaluations.map(\.id))
      var runIDs: Set<String> = []
      for entity in travelling {
        runIDs.formUnion(try RunEdge.all().edges(.output, ofEntity: entity).fetchAll(db).map(\.runId))
      }
      content.runs = try Run.fetchAll(db, keys: Array(runIDs)).sorted { $0.startedAt < $1.startedAt }
      content.runEdges = try RunEdge.all().edges(ofRuns: runIDs).fetchAll(db)
        .filter { travelling.contains($0.entityId) }
      let siteIDs = Set(
        content.runs.map(\.siteId) + content.patients.map(\.siteId) + content.sourceVideos.map(\.siteId)
          + content.conversions.map(\.siteId) + content.roiAnnotations.map(\.siteId)
          + content.labelAnnotations.map(\.siteId) + [dataset.siteId]
          + content.splits.map(\.siteId) + content.models.map(\.siteId) + content.evaluations.map(\.siteId))
      content.sites = try Site.fetchAll(db, keys: Array(siteIDs)).map { site in
        var site = site
        site.isLocal = false  // whoever imports this, these sites are not theirs
        return site
      }
      content.blobs = try BlobRecord.fetchAll(db, keys: Array(content.referencedBlobs)).sorted {
        $0.sha256 < $1.sha256
      }
      return content
    }
  }

  /// The models trained on the dataset and their evaluations on it. Their splits are the
  /// dataset's, which always travel; evaluations on other datasets stay here.
  func collectModels(of dataset: Dataset, into content: inout BundleContent, in db: Database) throws {
    content.models = try Model.filter(Model.Columns.datasetId == dataset.id)
      .order(Column("created_at"), Model.Columns.id).fetchAll(db)
    let modelIDs = content.models.map(\.id)
    content.evaluations = try Evaluation.filter(
      modelIDs.contains(Evaluation.Columns.modelId) && Evaluation.Columns.datasetId == dataset.id
    ).order(Column("created_at"), Evaluation.Columns.id).fetchAll(db)
  }

  func runParameters(reference: String, file: URL, options: Options) throws -> String {
    struct Parameters: Encodable {
      var dataset: String
      var file: String
      var withSources: Bool
      var withConversions: Bool
      var withModels: Bool
      var pseudonymized: Bool
      var gzip: Bool
    }
    return try CanonicalJSON.encode(
      Parameters(
        dataset: reference, file: file.lastPathComponent, withSources: options.withSources,
        withConversions: options.withConversions, withModels: options.withModels,
        pseudonymized: options.pseudonymizer != nil,
        gzip: options.gzip))
  }
}

import Foundation
import GRDB
import Media
import Platform

/// `tile`: cuts the pleural ROI of every conversion a recipe takes into video cubes and records
/// them as a new version of the recipe's dataset. Inputs are the conversions, the ROI versions
/// they are cut with and the label versions their cubes carry, so new videos, ROI edits or label
/// edits make a new version while an unchanged catalog reuses the earlier run.
public struct TilePlugin: Plugin {
  public struct Parameters: PluginParameters {
    public var recipe = DatasetRecipe(name: "demo", tileSize: 30, rows: "2")
    public init() {}
    public init(recipe: DatasetRecipe) { self.recipe = recipe }
  }

  public static let name = "tile"
  /// 1.1.0: label versions are inputs too, and the summary names each video's label version.
  /// 1.2.0: M-mode recipes (`"kind": "mmode"`); cube recipes cut the same cubes as before.
  /// 1.3.0: sidecars of M-mode images at the brightest columns end with `window` and `rank`;
  /// every other sidecar and every shard is as before.
  public static let version = SemanticVersion(1, 3, 0)
  public static let summary =
    "Cut ROIs of conversions into 60-frame video cubes, or M-mode images: a versioned dataset."
  public static let takes: [EntityKind] = [.conversion, .roi, .label]
  public static let makes: [EntityKind] = [.dataset]
  public static let parameterHelp = [
    "recipe":
      "{name, tileSize, rows (\"all\" or N top rows), framesPerCube, clipStride, conversion, labels, patients, leftovers}; "
      + "M-mode: {name, \"kind\": \"mmode\", mmode: {window, stride, sampling (every or brightest), columnStep, "
      + "topK, bandHeight, size}, conversion, labels, patients, leftovers}"
  ]

  public static let reproducible = true

  public init() {}

  public static func check(_ parameters: Parameters, inputs: [EntityRef], catalog: Catalog) async throws {
    try parameters.recipe.validate()
    if inputs.isEmpty {
      let plan = try await catalog.database.read { db in try TilePlan.make(recipe: parameters.recipe, in: db)
      }
      throw TilingError.nothingToTile(recipe: parameters.recipe.name, skipped: plan.skipped.count)
    }
  }

  public func run(_ parameters: Parameters, inputs: [EntityRef], context: PluginContext) async throws
    -> PluginOutput
  {
    let recipe = parameters.recipe
    let wanted = Set(inputs.map(\.id))
    let (plan, givenROIs, givenLabels) = try await context.catalog.database.read { db in
      (
        try TilePlan.make(recipe: recipe, in: db),
        try RoiAnnotation.fetchAll(db, keys: inputs.filter { $0.kind == .roi }.map(\.id)),
        try LabelAnnotation.fetchAll(db, keys: inputs.filter { $0.kind == .label }.map(\.id))
      )
    }
    // The run cuts exactly the conversion + ROI + label triples it was given; anything the
    // catalog gained since then belongs to a later version.
    let items = plan.items.filter {
      wanted.contains($0.conversion.id) && wanted.contains($0.roi.id) && wanted.contains($0.label.id)
    }
    guard items.count * 3 == inputs.count else {
      // The pairs were planned from an earlier catalog (an ROI edited, a video dropped since):
      // cutting what is current instead would record cubes under inputs they were not cut from.
      throw TilingError.inputsChanged(
        recipe: recipe.name,
        differences: Self.differences(
          inputs: inputs, givenROIs: givenROIs, givenLabels: givenLabels, plan: plan))
    }
    let scratch = try context.blobs.scratchFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }

    var shards: [(TilePlan.Item, StoredBlob, StoredBlob, CubeCutter.Cut)] = []
    for (index, item) in items.enumerated() {
      let file = scratch.appendingPathComponent("shard-\(index).npy")
      let cut = try context.blobs.withNamedPath(
        item.conversion.blobSha256, of: "conversion \(item.conversion.id)", fileName: item.conversion.fileName
      ) { url in
        do {
          return try DatasetCutter.cut(item: item, recipe: recipe, source: url, into: file) {
            Task.isCancelled
          }
        } catch let error as TilingError {
          throw error
        } catch {
          throw MediaFailure(
            message: "conversion \(item.conversion.id): "
              + String(describing: error).replacingOccurrences(of: url.path, with: item.conversion.id))
        }
      }
      let sidecar = try context.blobs.store(
        data: Data(Self.sidecar(item: item, cut: cut, ranked: recipe.keepsRankedImages).utf8))
      shards.append((item, try context.blobs.store(movingFileAt: file), sidecar, cut))
      context.progress("tile \(recipe.name)", index + 1, items.count, unit: "conversions")
    }
    let recipeJSON = try CanonicalJSON.encode(recipe)
    let skipped =
      plan.skipped
      + plan.items.filter { !wanted.contains($0.conversion.id) }.map {
        TilePlan.Skipped(
          video: $0.video.id, fileName: $0.video.fileName, reason: "added after this build started")
      }
    let built = shards
    return PluginOutput(summary: "") { db, run in
      try Self.persist(built, recipe: recipe, recipeJSON: recipeJSON, skipped: skipped, db: db, run: run)
    }
  }

  /// What the catalog's plan now does differently with the conversions and ROIs a run was given,
  /// one sentence each, so that the error says which video to look at.
  static func differences(
    inputs: [EntityRef], givenROIs: [RoiAnnotation], givenLabels: [LabelAnnotation] = [], plan: TilePlan
  ) -> [String] {
    let givenROIIDs = Set(inputs.filter { $0.kind == .roi }.map(\.id))
    let givenLabelIDs = Set(inputs.filter { $0.kind == .label }.map(\.id))
    var differences: [String] = []
    for conversion in inputs where conversion.kind == .conversion {
      guard let item = plan.items.first(where: { $0.conversion.id == conversion.id }) else {
        differences.append("conversion \(conversion.id) is no longer planned")
        continue
      }
      if !givenLabelIDs.contains(item.label.id) {
        let given = givenLabels.first { $0.sourceVideoId == item.video.id }
        differences.append(
          "conversion \(conversion.id) was planned with "
            + (given.map { "label version \($0.version) (\($0.label.rawValue))" } ?? "another label version")
            + "; version \(item.label.version) (\(item.label.label.rawValue)) is current")
      }
      guard !givenROIIDs.contains(item.roi.id) else { continue }
      if let given = givenROIs.first(where: { $0.sourceVideoId == item.video.id }) {
        differences.append(
          "conversion \(conversion.id) was planned with ROI version \(given.version) (\(given.id)); "
            + "version \(item.roi.version) (\(item.roi.id)) is current")
      } else {
        differences.append("conversion \(conversion.id) is now cut with ROI \(item.roi.id), not one given")
      }
    }
    // Given ROIs the plan does not use are named only when no conversion explains them.
    let planned = Set(plan.items.map(\.roi.id))
    if differences.isEmpty {
      for roi in givenROIs where !planned.contains(roi.id) {
        differences.append("ROI \(roi.id) is not the current ROI of a planned video")
      }
    }
    return differences
  }

  /// The shard's CSV sidecar, a row per cube. `ranked` (M-mode recipes keeping the brightest
  /// columns) adds `window` (the window's index in the video: its rows share it) and `rank` (0 =
  /// the brightest) as the last columns, so the columns before them read as in every other
  /// sidecar; older such datasets lack them and carry the same facts in `clip` and `tile_row`.
  static func sidecar(item: TilePlan.Item, cut: CubeCutter.Cut, ranked: Bool = false) -> String {
    var lines = [
      "index,clip,first_frame,frames,tile_row,tile_col,x,y,size,label,patient,conversion,roi_version"
        + (ranked ? ",window,rank" : "")
    ]
    for (index, cube) in cut.cubes.enumerated() {
      lines.append(
        "\(index),\(cube.clip),\(cube.firstFrame),\(cut.framesPerCube),\(cube.tile.row),\(cube.tile.column),"
          + "\(cube.tile.x),\(cube.tile.y),\(cut.size),\(item.label.label.rawValue),\(item.patientCode),"
          + "\(item.conversion.id),\(item.roi.version)" + (ranked ? ",\(cube.clip),\(cube.tile.row)" : ""))
    }
    return lines.joined(separator: "\n") + "\n"
  }

  static func persist(
    _ shards: [(TilePlan.Item, StoredBlob, StoredBlob, CubeCutter.Cut)], recipe: DatasetRecipe,
    recipeJSON: String,
    skipped: [TilePlan.Skipped], db: Database, run: PersistContext
  ) throws -> [EntityRef] {
    var summary = DatasetSummary(
      cubes: 0, perLabel: [:], perPatient: [:], videos: [], shards: [], skipped: skipped)
    // Cubes are judged against the image region (M-mode images are columns inside the ROI).
    let judged = recipe.kind == .cubes
    for (item, shard, sidecar, cut) in shards {
      summary.cubes += cut.cubes.count
      summary.perLabel[item.label.label.rawValue, default: 0] += cut.cubes.count
      summary.perPatient[item.patientCode, default: 0] += cut.cubes.count
      summary.videos.append(
        .init(
          video: item.video.id, fileName: item.video.fileName, patient: item.patientCode,
          label: item.label.label.rawValue,
          roiVersion: item.roi.version,
          // Cut per clip: the tiles, or the M-mode images a window kept (top-k of its columns).
          tilesPerClip: item.clipStarts.isEmpty ? 0 : cut.cubes.count / item.clipStarts.count,
          clips: item.clipStarts.count,
          cubes: cut.cubes.count, labelVersion: item.label.version, roiId: item.roi.id,
          labelId: item.label.id, cubesPartlyOutside: judged ? cut.cubesPartlyOutside : nil,
          cubesSkippedOutside: judged ? cut.cubesSkippedOutside : nil))
      run.note(
        "\(item.video.id) \(item.video.fileName): "
          + (judged
            ? "\(cut.cubes.count) cubes, \(cut.cubesPartlyOutside) partly outside the valid image region, "
              + "\(cut.cubesSkippedOutside) skipped as mostly outside it"
            : "\(cut.cubes.count) M-mode images")
          + (item.roi.isLowConfidence ? " (cut with a low-confidence suggested ROI)" : ""))
      summary.shards.append(
        .init(
          conversion: item.conversion.id, video: item.video.id, shard: shard.sha256, sidecar: sidecar.sha256,
          cubes: cut.cubes.count))
    }
    let latest = try Dataset.newest(named: recipe.name, site: run.siteID, in: db)
    // Recipes compare as decoded: one recorded before a field existed reads with its default.
    if let latest,
      (try? JSONDecoder().decode(DatasetRecipe.self, from: Data(latest.recipeJson.utf8))) == recipe,
      latest.holdsTheSameShards(as: summary)
    {
      run.note("\(latest.reference) already holds exactly these cubes; no new version")
      run.remade(EntityRef(.dataset, latest.id))
      return [EntityRef(.dataset, latest.id)]
    }
    let dataset = Dataset(
      id: EntityKind.dataset.newID(), siteId: run.siteID, name: recipe.name,
      version: (latest?.version ?? 0) + 1,
      recipeJson: recipeJSON, summaryJson: try CanonicalJSON.encode(summary), createdAt: run.now)
    try dataset.insert(db)
    for (item, shard, sidecar, cut) in shards {
      try BlobRecord.register(shard, in: db)
      try BlobRecord.register(sidecar, in: db)
      try Cube.insert(
        cut.cubes.enumerated().map { index, cube in
          Cube(
            id: EntityKind.cube.newID(), datasetId: dataset.id, conversionId: item.conversion.id,
            roiId: item.roi.id, patientId: item.video.patientId, label: item.label.label,
            clipIndex: cube.clip,
            firstFrame: cube.firstFrame, frames: cut.framesPerCube, tileRow: cube.tile.row,
            tileCol: cube.tile.column, x: cube.tile.x, y: cube.tile.y, size: cut.size,
            shardSha256: shard.sha256, shardIndex: index)
        }, in: db)
    }
    let labels = summary.perLabel.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(
      separator: ", ")
    let partly = summary.videos.compactMap(\.cubesPartlyOutside).reduce(0, +)
    let outside = summary.videos.compactMap(\.cubesSkippedOutside).reduce(0, +)
    run.note(
      "\(dataset.reference): \(summary.cubes) \(recipe.kind == .mmode ? "M-mode images" : "cubes") (\(labels)) from \(shards.count) videos of "
        + "\(summary.perPatient.count) patients; \(skipped.count) videos skipped"
        + (judged
          ? "; \(partly) cubes partly outside the valid image region, \(outside) not cut as mostly outside it"
          : ""))
    return [EntityRef(.dataset, dataset.id)]
  }
}

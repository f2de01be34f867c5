import Foundation
import GRDB
import Media
import Platform
import Resnet3D

/// `explain`: vanilla gradient and SmoothGrad saliency of a model on chosen cubes, stored as
/// `.npy` maps and PNG pictures in the layout of the study's Figure 5, plus the maps of one clip's
/// tiles overlaid on its full frames.
///
/// The pictures and maps are blobs listed in the run's summary (`pleura explain -o DIR` writes
/// them out); they belong to no entity kind of their own.
public struct ExplainPlugin: Plugin {
  public struct Parameters: PluginParameters {
    /// Comma-separated cube ids; empty takes the first cube of each label in the model's test part.
    public var cubes = ""
    /// SmoothGrad noise, as a share of the cube's value range.
    public var noise = 0.15
    /// SmoothGrad samples per cube.
    public var samples = 25
    /// Show every n-th frame.
    public var every = 6
    /// Also draw the overlay on the full frames of the first cube's clip.
    public var overlay = true
    public var seed = 42
    public var threads = 2
    public init() {}
  }

  public static let name = "explain"
  public static let version = SemanticVersion(1, 0, 0)
  public static let summary =
    "Vanilla-gradient and SmoothGrad saliency of a model on cubes: .npy maps and Figure-5 PNG strips."
  public static let takes: [EntityKind] = [.model, .dataset]
  public static let makes: [EntityKind] = []
  public static let parameterHelp = [
    "cubes": "comma-separated cube ids (default: first cube of each label in the test part)",
    "noise": "SmoothGrad noise as a share of the input range", "samples": "SmoothGrad samples",
    "every": "show every n-th frame", "overlay": "also overlay one clip's maps on its full frames",
    "seed": "seed of the SmoothGrad noise", "threads": "engine threads",
  ]

  /// Saliency from stored weights and cubes, SmoothGrad noise seeded.
  public static let reproducible = true

  public init() {}

  /// Names of the files a run makes, as they appear in its summary (`NAME SHA256`).
  public static let outputNames = ["saliency.npy", "strip.png", "overlay.png"]

  public static func check(_ parameters: Parameters, inputs: [EntityRef], catalog: Catalog) async throws {
    guard parameters.noise >= 0 else {
      throw TrainingError.outOfRange("noise \(parameters.noise) must be at least 0")
    }
    try TrainingError.checkMinimums([
      "samples": (parameters.samples, 0), "every": (parameters.every, 1), "threads": (parameters.threads, 1),
    ])
    guard let (modelID, datasetID) = EvaluatePlugin.modelAndDataset(inputs) else {
      throw TrainingError.needsModelAndDataset(plugin: name)
    }
    _ = try await catalog.database.read { db in
      try chosen(parameters, model: modelID, dataset: datasetID, in: db)
    }
  }

  static func chosen(
    _ parameters: Parameters, model modelID: String, dataset datasetID: String, in db: Database
  )
    throws -> [CubeItem]
  {
    let model = try Model.find(db, key: modelID)
    let all = try CubeItem.fetch(dataset: datasetID, split: nil, part: nil, in: db)
    let ids = parameters.cubes.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    if !ids.isEmpty {
      let byID = Dictionary(all.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
      return try ids.map { id in
        guard let item = byID[id] ?? all.first(where: { $0.id.hasPrefix(id) && id.count >= 9 }) else {
          throw TrainingError.unknownCube(id)
        }
        return item
      }
    }
    let pool =
      model.datasetId == datasetID
      ? try CubeItem.fetch(dataset: datasetID, split: model.splitId, part: .test, in: db) : all
    let picked = [SlidingLabel.present, .absent].compactMap { label in pool.first { $0.label == label } }
    guard !picked.isEmpty else { throw TrainingError.emptyPart(split: model.splitId, part: "test") }
    return picked
  }

  public func run(_ parameters: Parameters, inputs: [EntityRef], context: PluginContext) async throws
    -> PluginOutput
  {
    guard let (modelID, datasetID) = EvaluatePlugin.modelAndDataset(inputs) else {
      throw TrainingError.needsModelAndDataset(plugin: Self.name)
    }
    let (model, items) = try await context.catalog.database.read { db in
      (
        try Model.find(db, key: modelID),
        try Self.chosen(parameters, model: modelID, dataset: datasetID, in: db)
      )
    }
    let (network, setup) = try ModelLoader.load(model, blobs: context.blobs, threads: parameters.threads)
    let reader = CubeReader(blobs: context.blobs, frames: setup.frames, size: setup.size)
    var maps: [Float] = []
    var strips: [SaliencyPictures.Cube] = []
    // The picked cubes' scores and vanilla maps come from one batched pass.
    let cubes = try reader.read(items)
    let (vanillas, scores) = try Saliency.vanillaAndScores(network, cubes: cubes)
    let size = setup.frames * setup.size * setup.size
    for (index, item) in items.enumerated() {
      try context.checkCancellation()
      let cube = Array(cubes[(index * size)..<((index + 1) * size)])
      let score = scores[index]
      let vanilla = Array(vanillas[(index * size)..<((index + 1) * size)])
      let smooth = try Saliency.smoothGrad(
        network, cube: cube, noise: parameters.noise, samples: parameters.samples,
        seed: parameters.seed &+ index)
      maps += vanilla + smooth
      strips.append(
        .init(
          title: "\(item.id) \(item.label.rawValue.uppercased()) SCORE \(String(format: "%.3f", score))",
          input: cube, vanilla: Saliency.normalized(vanilla), smooth: Saliency.normalized(smooth)))
      context.progress("explain", index + 1, items.count, unit: "cubes", perItem: true)
    }
    var outputs: [(String, StoredBlob)] = []
    outputs.append(
      (
        "saliency.npy",
        try context.blobs.store(
          data: NPY.encode(float32: maps, shape: [items.count, 2, setup.frames, setup.size, setup.size]))
      ))
    let strip = SaliencyPictures.strip(
      strips, frames: setup.frames, size: setup.size, every: parameters.every)
    outputs.append(("strip.png", try context.blobs.store(data: try PNGWriter.encode(strip))))
    // A 2D model's inputs are M-mode images (a pixel column over time), not tiles of the frames:
    // there is no place on a frame to overlay them.
    let drawOverlay = parameters.overlay && !network.config.twoDimensional
    if parameters.overlay && !drawOverlay {
      context.logger.info(
        "explain: no overlay for the 2D model \(model.id): its inputs are not tiles of frames")
    }
    if drawOverlay, let first = items.first {
      let picture = try overlay(
        first, datasetID: datasetID, network: network, reader: reader, parameters: parameters,
        context: context)
      outputs.append(("overlay.png", try context.blobs.store(data: try PNGWriter.encode(picture))))
    }
    let lines = outputs.map { "\($0.0) \($0.1.sha256)" }
    let header =
      "saliency of \(model.id) on \(items.count) cube(s): " + items.map(\.id).joined(separator: ", ")
    let blobs = outputs.map(\.1)
    return PluginOutput(summary: ([header] + lines).joined(separator: "\n")) { db, _ in
      for blob in blobs { try BlobRecord.register(blob, in: db) }
      return []
    }
  }

  /// Every tile of the cube's clip, its maps blended over the clip's full frames.
  private func overlay(
    _ item: CubeItem, datasetID: String, network: ResNet3D, reader: CubeReader, parameters: Parameters,
    context: PluginContext
  ) throws -> RGBImage {
    let (cubes, conversion) = try context.catalog.database.read { db in
      (
        try Cube.filter(
          Cube.Columns.datasetId == datasetID && Column("conversion_id") == item.conversionId
            && Column("clip_index") == item.clipIndex
        ).order(Column("tile_row"), Column("tile_col")).fetchAll(db),
        try Conversion.find(db, key: item.conversionId)
      )
    }
    var tiles: [(x: Int, y: Int, vanilla: [Float], smooth: [Float])] = []
    let size = reader.frames * reader.size * reader.size
    let asItems = cubes.map { cube in
      CubeItem(
        id: cube.id, shardSha256: cube.shardSha256, shardIndex: cube.shardIndex, label: cube.label,
        patientId: cube.patientId, conversionId: cube.conversionId, clipIndex: cube.clipIndex)
    }
    // The tiles' vanilla maps in batches of up to 16 cubes (one pass each).
    var vanillas: [Float] = []
    for start in stride(from: 0, to: asItems.count, by: 16) {
      try context.checkCancellation()
      let batch = try reader.read(asItems[start..<min(asItems.count, start + 16)])
      vanillas += try Saliency.vanilla(network, cubes: batch)
    }
    for (index, cube) in cubes.enumerated() {
      try context.checkCancellation()
      let input = try reader.read([asItems[index]])
      let vanilla = Saliency.normalized(vanillas[(index * size)..<((index + 1) * size)])
      let smooth = Saliency.normalized(
        try Saliency.smoothGrad(
          network, cube: input, noise: parameters.noise, samples: parameters.samples,
          seed: parameters.seed &+ 1000 &+ index))
      tiles.append((cube.x, cube.y, vanilla, smooth))
      context.progress("explain overlay", index + 1, cubes.count, unit: "cubes")
    }
    let firstFrame = cubes.first?.firstFrame ?? 0
    let frameCount = cubes.first?.frames ?? reader.frames
    let wanted = Array(stride(from: firstFrame, to: firstFrame + frameCount, by: parameters.every))
    var frames: [GrayImage] = []
    try context.blobs.withNamedPath(
      conversion.blobSha256, of: "conversion \(conversion.id)", fileName: "conversion.mp4"
    ) { url in
      let decoder = try VideoDecoders.open(url)
      var index = 0
      while frames.count < wanted.count, let frame = try decoder.nextFrame() {
        if wanted.contains(index) { frames.append(frame.image) }
        index += 1
      }
    }
    let x0 = cubes.map(\.x).min() ?? 0
    let y0 = cubes.map(\.y).min() ?? 0
    let x1 = cubes.map { $0.x + $0.size }.max() ?? 0
    let y1 = cubes.map { $0.y + $0.size }.max() ?? 0
    return SaliencyPictures.overlay(
      frames: frames, frameNumbers: Array(wanted.prefix(frames.count)), tiles: tiles, firstFrame: firstFrame,
      size: reader.size, roi: (x0, y0, x1 - x0, y1 - y0),
      title:
        "\(conversion.id) CLIP \(item.clipIndex + 1) \(item.label.rawValue.uppercased()): TILED ROI, VANILLA, SMOOTHGRAD"
    )
  }
}

import Foundation
import Platform
import Resnet3D

/// What training needs to continue after an epoch exactly as if it had not stopped: the
/// weights (with BN statistics), Adam's step and moments, the curves so far and the best epoch's
/// weights. The per-epoch shuffle is derived from the seed and the epoch, so no generator state
/// is needed.
///
/// Checkpoints live in `<catalog>/checkpoints/<run id>/epoch-NNNN/`, written into a `.partial`
/// folder and renamed when complete, so a kill while writing leaves the previous one intact.
/// A successful run removes its folder; `pleura train --resume RUN` reads the newest epoch.
struct TrainingCheckpoint {
  struct State: Codable {
    var epochsDone: Int
    var step: Int
    var curves: [EpochCurve]
    var bestEpoch: Int
    var bestLoss: Double
    var parametersJSON: String
  }

  static func folder(catalog: Catalog, runID: String) -> URL {
    catalog.root.appendingPathComponent("checkpoints").appendingPathComponent(runID)
  }

  static func save(
    _ state: State, model: ResNet3D, best: URL, catalog: Catalog, runID: String
  ) throws {
    let root = folder(catalog: catalog, runID: runID)
    let name = String(format: "epoch-%04d", state.epochsDone)
    let partial = root.appendingPathComponent(name + ".partial")
    let final = root.appendingPathComponent(name)
    let files = FileManager.default
    try? files.removeItem(at: partial)
    try files.createDirectory(at: partial, withIntermediateDirectories: true)
    try model.save(to: partial.appendingPathComponent("weights.safetensors"))
    let moments = model.parameters.filter(\.trainable).flatMap { p in
      [
        NamedTensor(name: p.name + ".m", shape: p.shape, values: padded(p.adamFirstMoment, p.count)),
        NamedTensor(name: p.name + ".v", shape: p.shape, values: padded(p.adamSecondMoment, p.count)),
      ]
    }
    try SafeTensors.write(moments, metadata: [:], to: partial.appendingPathComponent("adam.safetensors"))
    try files.copyItem(at: best, to: partial.appendingPathComponent("best.safetensors"))
    try JSONEncoder().encode(state).write(to: partial.appendingPathComponent("state.json"))
    try? files.removeItem(at: final)
    try files.moveItem(at: partial, to: final)
    // Only the newest complete epoch is needed.
    for old in (try? files.contentsOfDirectory(atPath: root.path)) ?? [] where old != name {
      try? files.removeItem(at: root.appendingPathComponent(old))
    }
  }

  /// The newest complete checkpoint of a run, if any.
  static func latest(catalog: Catalog, runID: String) -> URL? {
    let root = folder(catalog: catalog, runID: runID)
    let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
    return names.filter { $0.hasPrefix("epoch-") && !$0.hasSuffix(".partial") }.sorted().last.map {
      root.appendingPathComponent($0)
    }
  }

  /// Loads a checkpoint into `model` and copies its best weights to `best`.
  static func load(_ folder: URL, into model: ResNet3D, best: URL) throws -> State {
    let state = try JSONDecoder().decode(
      State.self, from: Data(contentsOf: folder.appendingPathComponent("state.json")))
    try model.load(from: folder.appendingPathComponent("weights.safetensors"))
    let moments = try SafeTensors.read(from: folder.appendingPathComponent("adam.safetensors")).tensors
    let byName = Dictionary(uniqueKeysWithValues: moments.map { ($0.name, $0.values) })
    guard state.step >= 0 else {
      throw TrainingError.resumeMismatch(
        run: folder.lastPathComponent, reason: "its Adam step count is \(state.step)")
    }
    model.restoreOptimizer(step: state.step)
    for p in model.parameters where p.trainable {
      guard let first = byName[p.name + ".m"], let second = byName[p.name + ".v"] else {
        throw TrainingError.resumeMismatch(
          run: folder.lastPathComponent, reason: "no Adam state of \(p.name)")
      }
      p.setAdamMoments(first: first, second: second)
    }
    try? FileManager.default.removeItem(at: best)
    try FileManager.default.copyItem(at: folder.appendingPathComponent("best.safetensors"), to: best)
    return state
  }

  private static func padded(_ values: [Float], _ count: Int) -> [Float] {
    values.isEmpty ? [Float](repeating: 0, count: count) : values
  }
}

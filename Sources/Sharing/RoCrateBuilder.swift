import Bag
import Foundation
import Platform

/// RO-Crate metadata for a bundle: the payload files, and each provenance run as a CreateAction
/// whose instrument is the plugin and version and whose object and result are the files of its
/// inputs and outputs (entities without a file of their own stand in as their table's JSON).
enum RoCrateBuilder {
  static func crate(for content: BundleContent, blobs: Set<String>) -> RoCrate {
    let dataset = content.datasets[0]
    var crate = RoCrate(
      name: "Pleura dataset \(dataset.name)@\(dataset.version)",
      description:
        "Lung-ultrasound video cubes with their splits, ROI versions and provenance"
        + (content.models.isEmpty ? "" : ", and the models trained on them with their evaluations")
        + ", exported by Pleura " + PlatformVersion.current,
      datePublished: Date())
    for name in BundleContent.fileNames {
      crate.files.append(.init(path: "catalog/\(name)", encodingFormat: "application/json"))
    }
    // Weights and scores are named, so a reader of the crate alone can tell them from shards.
    var named: [String: (name: String, format: String)] = [:]
    for model in content.models {
      named[model.weightsSha256] = (
        "weights of \(model.id) (\(model.architecture), safetensors)", "application/octet-stream"
      )
    }
    for evaluation in content.evaluations {
      if let scores = evaluation.scoresSha256 {
        named[scores] = ("per-cube scores of \(evaluation.id)", "text/csv")
      }
    }
    for sha in blobs.sorted() {
      crate.files.append(
        .init(
          path: "blobs/\(sha)", name: named[sha]?.name,
          encodingFormat: named[sha]?.format ?? "application/octet-stream"))
    }
    func file(for entity: String) -> String {
      if let cube = content.cubes.first(where: { $0.id == entity }), blobs.contains(cube.shardSha256) {
        return "blobs/\(cube.shardSha256)"
      }
      if let conversion = content.conversions.first(where: { $0.id == entity }),
        blobs.contains(conversion.blobSha256)
      {
        return "blobs/\(conversion.blobSha256)"
      }
      if let video = content.sourceVideos.first(where: { $0.id == entity }), blobs.contains(video.blobSha256)
      {
        return "blobs/\(video.blobSha256)"
      }
      if let model = content.models.first(where: { $0.id == entity }), blobs.contains(model.weightsSha256) {
        return "blobs/\(model.weightsSha256)"
      }
      if let evaluation = content.evaluations.first(where: { $0.id == entity }),
        let scores = evaluation.scoresSha256, blobs.contains(scores)
      {
        return "blobs/\(scores)"
      }
      let kind = EntityKind.of(id: entity)?.table ?? "run"
      return "catalog/\(kind).json"
    }
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    for run in content.runs {
      let edges = content.runEdges.filter { $0.runId == run.id }
      let inputs = Array(Set(edges.filter { $0.direction == .input }.map { file(for: $0.entityId) })).sorted()
      let outputs = Array(Set(edges.filter { $0.direction == .output }.map { file(for: $0.entityId) }))
        .sorted()
      crate.actions.append(
        .init(
          id: run.id, name: "\(run.plugin) run \(run.id)",
          instrument: .init(name: run.plugin, version: run.pluginVersion),
          inputs: inputs, outputs: outputs, startTime: formatter.date(from: run.startedAt),
          endTime: run.endedAt.flatMap { formatter.date(from: $0) }))
    }
    return crate
  }
}

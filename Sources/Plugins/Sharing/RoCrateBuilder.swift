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
        "Lung-ultrasound video cubes with their splits, ROI versions and provenance, exported by Pleura "
        + PlatformVersion.current,
      datePublished: Date())
    for name in BundleContent.fileNames {
      crate.files.append(.init(path: "catalog/\(name)", encodingFormat: "application/json"))
    }
    for sha in blobs.sorted() {
      crate.files.append(.init(path: "blobs/\(sha)", encodingFormat: "application/octet-stream"))
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

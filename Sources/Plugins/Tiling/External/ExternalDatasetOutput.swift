import Foundation
import GRDB
import Platform

/// Checks and lands an external plugin's `dataset` output: shards of uint8 cubes
/// (`.npy`, `[n, frames, size, size]`), each with a sidecar CSV in the tile plugin's layout, one
/// row per cube in shard order, naming one of the run's input conversions and the version of an
/// input ROI of its video. The dataset is a new version of `metadata.name`, with the same
/// summary, cube rows and blobs as a built dataset, so `split`, `train`, `export-npy` and bundles
/// read it unchanged (ARCHITECTURE.md, "External plugins").
public struct ExternalDatasetOutput: ExternalOutputHandler {
  public let kind = ExternalOutputKind.dataset
  public init() {}

  static let maxShardBytes = 8 << 30
  static let maxSidecarBytes = 64 << 20

  public func check(
    _ output: ExternalOutput, files: [String: URL], context: ExternalOutputContext, in db: Database
  ) throws -> any CheckedExternalOutput {
    let field = context.field
    func refuse(_ reason: String) -> ExternalOutputRefusal { ExternalOutputRefusal("\(field)\(reason)") }
    for key in output.metadata.keys.sorted() where !["name", "recipe"].contains(key) {
      throw refuse(": metadata '\(key.escapedForMessage)' is not one of name, recipe")
    }
    guard let name = output.metadata["name"]?.stringValue, (try? RecordRules.datasetName(name)) != nil else {
      throw refuse(": metadata name must be a dataset name (1-64 letters, digits, '_', '-' or '.')")
    }
    let recipe = output.metadata["recipe"] ?? .object(["name": .string(name)])
    guard recipe.objectValue != nil else { throw refuse(": metadata recipe must be a JSON object") }
    let shardRoles = try Self.shardRoles(Set(files.keys), refuse: refuse)
    var shards: [CheckedShard] = []
    var shape: (frames: Int, size: Int)?
    for role in shardRoles {
      guard let shardURL = files[role], let sidecarURL = files["sidecar" + role.dropFirst("shard".count)]
      else {
        continue
      }
      let shown = "\(field) \(role)"
      let header = try Self.shardHeader(shardURL, shown: shown)
      if let shape, shape != (header.frames, header.size) {
        throw ExternalOutputRefusal(
          "\(shown) holds [n, \(header.frames), \(header.size), \(header.size)] cubes; the other shards hold "
            + "[n, \(shape.frames), \(shape.size), \(shape.size)]")
      }
      shape = (header.frames, header.size)
      let table = try ExternalSidecar.read(
        sidecarURL, shown: "\(field) sidecar" + role.dropFirst("shard".count))
      let checked = try table.check(against: header, context: context, in: db)
      shards.append(
        CheckedShard(role: role, sidecarRole: "sidecar" + role.dropFirst("shard".count), source: checked))
    }
    let recipeJSON = try recipe.canonicalText()
    return CheckedDataset(name: name, recipeJSON: recipeJSON, shards: shards)
  }

  /// The shard roles, `shard-K`, each with its `sidecar-K` and nothing else.
  static func shardRoles(_ roles: Set<String>, refuse: (String) -> ExternalOutputRefusal) throws -> [String] {
    let shards = roles.filter { $0.hasPrefix("shard-") }
    guard !shards.isEmpty else { throw refuse(": a dataset needs at least one 'shard-K' file (.npy)") }
    for role in roles.sorted() {
      let suffix: Substring
      if role.hasPrefix("shard-") {
        suffix = role.dropFirst("shard-".count)
        guard roles.contains("sidecar-" + suffix) else {
          throw refuse(": \(role) has no 'sidecar-\(suffix)' file")
        }
      } else if role.hasPrefix("sidecar-") {
        suffix = role.dropFirst("sidecar-".count)
        guard roles.contains("shard-" + suffix) else {
          throw refuse(": \(role.escapedForMessage) has no 'shard-\(String(suffix).escapedForMessage)' file")
        }
      } else {
        throw refuse(": file role '\(role.escapedForMessage)' is not shard-K or sidecar-K")
      }
      guard !suffix.isEmpty, suffix.count <= 32,
        suffix.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) })
      else { throw refuse(": file role '\(role.escapedForMessage)' must end in 1 to 32 letters or digits") }
    }
    return shards.sorted()
  }

  /// A shard's `.npy` header: uint8, C order, four dimensions, data exactly filling the file.
  static func shardHeader(_ url: URL, shown: String) throws -> ShardHeader {
    let size =
      (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue ?? 0
    guard size <= maxShardBytes, let handle = try? FileHandle(forReadingFrom: url) else {
      throw ExternalOutputRefusal("\(shown): larger than \(maxShardBytes) bytes or unreadable")
    }
    defer { try? handle.close() }
    let head = (try? handle.read(upToCount: 4096)) ?? Data()
    guard head.count >= 10, head[head.startIndex + 6] == 1, let header = NPY.readHeader(head) else {
      throw ExternalOutputRefusal("\(shown) is not an .npy file (format version 1)")
    }
    let text = String(decoding: head.prefix(header.dataOffset), as: UTF8.self)
    guard header.descr == "|u1", text.contains("'fortran_order': False"), header.shape.count == 4,
      header.shape.allSatisfy({ $0 > 0 })
    else {
      throw ExternalOutputRefusal(
        "\(shown) holds \(header.descr.escapedForMessage) \(header.shape); uint8 [n, frames, size, size] in C order expected"
      )
    }
    let (n, frames, side) = (header.shape[0], header.shape[1], header.shape[2])
    guard header.shape[3] == side, side <= 4096, frames <= 4096, n <= 1_000_000 else {
      throw ExternalOutputRefusal(
        "\(shown) holds \(header.shape); cubes must be square and at most 4096 a side")
    }
    let expected = header.dataOffset + n * frames * side * side
    guard size == expected else {
      throw ExternalOutputRefusal(
        "\(shown): shape \(header.shape) needs \(expected) bytes but the file has \(size)")
    }
    return ShardHeader(count: n, frames: frames, size: side)
  }

  struct ShardHeader {
    var count: Int
    var frames: Int
    var size: Int
  }

  struct CheckedShard: Sendable {
    var role: String
    var sidecarRole: String
    var source: ExternalSidecar.Checked
  }
}

/// A dataset output that passed: lands as the next version of its name, or as the latest version
/// when that one holds exactly these shards and recipe (as a rebuild does).
struct CheckedDataset: CheckedExternalOutput {
  var name: String
  var recipeJSON: String
  var shards: [ExternalDatasetOutput.CheckedShard]

  func persist(blobs: [String: StoredBlob], in db: Database, run: PersistContext) throws -> [EntityRef] {
    var summary = DatasetSummary(
      cubes: 0, perLabel: [:], perPatient: [:], videos: [], shards: [], skipped: [])
    var placed: [(ExternalDatasetOutput.CheckedShard, StoredBlob)] = []
    for shard in shards {
      guard let stored = blobs[shard.role], let sidecar = blobs[shard.sidecarRole] else { continue }
      let source = shard.source
      summary.cubes += source.rows.count
      for row in source.rows {
        summary.perLabel[row.label.rawValue, default: 0] += 1
        summary.perPatient[source.patientCode, default: 0] += 1
      }
      summary.videos.append(
        .init(
          video: source.video.id, fileName: source.video.fileName, patient: source.patientCode,
          label: source.label.label.rawValue, roiVersion: source.roi.version,
          tilesPerClip: source.rows.count / max(1, Set(source.rows.map(\.clip)).count),
          clips: Set(source.rows.map(\.clip)).count, cubes: source.rows.count,
          labelVersion: source.label.version, roiId: source.roi.id, labelId: source.label.id,
          cubesPartlyOutside: nil, cubesSkippedOutside: nil))
      summary.shards.append(
        .init(
          conversion: source.conversion.id, video: source.video.id, shard: stored.sha256,
          sidecar: sidecar.sha256, cubes: source.rows.count))
      placed.append((shard, stored))
    }
    let latest = try Dataset.newest(named: name, site: run.siteID, in: db)
    if let latest, latest.recipeJson == recipeJSON, latest.holdsTheSameShards(as: summary) {
      run.note("\(latest.reference) already holds exactly these cubes; no new version")
      run.remade(EntityRef(.dataset, latest.id))
      return [EntityRef(.dataset, latest.id)]
    }
    let dataset = Dataset(
      id: EntityKind.dataset.newID(), siteId: run.siteID, name: name, version: (latest?.version ?? 0) + 1,
      recipeJson: recipeJSON, summaryJson: try CanonicalJSON.encode(summary), createdAt: run.now)
    try dataset.insert(db)
    for (shard, stored) in placed {
      let source = shard.source
      try Cube.insert(
        source.rows.enumerated().map { index, row in
          Cube(
            id: EntityKind.cube.newID(), datasetId: dataset.id, conversionId: source.conversion.id,
            roiId: source.roi.id, patientId: source.video.patientId, label: row.label, clipIndex: row.clip,
            firstFrame: row.firstFrame, frames: row.frames, tileRow: row.tileRow, tileCol: row.tileCol,
            x: row.x, y: row.y, size: row.size, shardSha256: stored.sha256, shardIndex: index)
        }, in: db)
    }
    run.note(
      "\(dataset.reference): \(summary.cubes) cubes from \(placed.count) shard(s) of "
        + "\(summary.perPatient.count) patients, made by an external plugin")
    return [EntityRef(.dataset, dataset.id)]
  }
}

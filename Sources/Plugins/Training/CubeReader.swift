import Foundation
import GRDB
import Platform

/// One cube to feed the network: where its bytes are and what it shows.
public struct CubeItem: Sendable, Codable, Equatable {
  public var id: String
  public var shardSha256: String
  public var shardIndex: Int
  public var label: SlidingLabel
  public var patientId: String
  public var conversionId: String
  public var clipIndex: Int
  /// The tile's row in the grid; for an M-mode image its rank in its window (0 = the brightest
  /// column when the recipe keeps the brightest ones), which `WindowSampling` draws by.
  public var tileRow = 0

  /// The training target: 1 for lung sliding present (the positive class, as in the study).
  public var target: Float { label == .present ? 1 : 0 }
}

extension CubeItem {
  /// Labelled cubes of a dataset, in a fixed order (shard, then index in the shard) so that the
  /// same dataset always yields the same sequence. `part` restricts them to the patients a split
  /// put in that part; `nil` takes every cube.
  public static func fetch(
    dataset datasetID: String, split splitID: String?, part: SplitAssignment.Part?, in db: Database
  ) throws -> [CubeItem] {
    var sql = """
      SELECT c.id, c.shard_sha256, c.shard_index, c.label, c.patient_id, c.conversion_id, c.clip_index, c.tile_row
      FROM cube c
      """
    var arguments: StatementArguments = []
    if let splitID, let part {
      sql += " JOIN split_assignment a ON a.patient_id = c.patient_id AND a.split_id = ? AND a.part = ?"
      arguments += [splitID, part.rawValue]
    }
    sql +=
      " WHERE c.dataset_id = ? AND c.label IN ('present', 'absent') ORDER BY c.shard_sha256, c.shard_index"
    arguments += [datasetID]
    return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
      CubeItem(
        id: row[0], shardSha256: row[1], shardIndex: row[2],
        label: SlidingLabel(rawValue: row[3]) ?? .unknown, patientId: row[4], conversionId: row[5],
        clipIndex: row[6], tileRow: row[7])
    }
  }
}

/// Reads cubes from their `.npy` shards a batch at a time: only the requested cubes are read, so
/// memory is bounded by the batch, not by the dataset. Bytes (uint8 grey) become floats in [0, 1]
/// laid out as the engine's channels-last input with one channel (`greyInput`).
public final class CubeReader {
  public let frames: Int
  public let size: Int
  let blobs: BlobStore
  private var shards: [String: (handle: FileHandle, dataOffset: UInt64, count: Int)] = [:]

  /// Values per cube.
  public var cubeValues: Int { frames * size * size }

  public init(blobs: BlobStore, frames: Int, size: Int) {
    self.blobs = blobs
    self.frames = frames
    self.size = size
  }

  deinit {
    for shard in shards.values { try? shard.handle.close() }
  }

  /// The cubes, one after another, as floats in [0, 1].
  public func read(_ items: some Collection<CubeItem>) throws -> [Float] {
    var out = [Float](repeating: 0, count: items.count * cubeValues)
    let bytes = cubeValues
    try out.withUnsafeMutableBufferPointer { buffer in
      for (position, item) in items.enumerated() {
        let shard = try open(item.shardSha256, holding: item.id)
        guard item.shardIndex >= 0, item.shardIndex < shard.count else {
          throw TrainingError.badShard(item.shardSha256, "has no cube \(item.shardIndex)")
        }
        try shard.handle.seek(toOffset: shard.dataOffset + UInt64(item.shardIndex * bytes))
        guard let data = try shard.handle.read(upToCount: bytes), data.count == bytes else {
          throw TrainingError.badShard(item.shardSha256, "ends inside cube \(item.shardIndex)")
        }
        let base = position * bytes
        data.withUnsafeBytes { raw in
          for i in 0..<bytes { buffer[base + i] = Float(raw[i]) * (1 / 255) }
        }
      }
    }
    return out
  }

  private func open(_ sha256: String, holding cube: String) throws -> (
    handle: FileHandle, dataOffset: UInt64, count: Int
  ) {
    if let shard = shards[sha256] { return shard }
    // One verifying pass over the shard when it is first opened; its cubes are then read at
    // random from the same descriptor.
    let handle = try blobs.openVerified(sha256, of: "the shard of cube \(cube)")
    let head = try handle.read(upToCount: 4096) ?? Data()
    guard let header = NPY.readHeader(head) else {
      try? handle.close()
      throw TrainingError.badShard(sha256, "is not an .npy file")
    }
    guard header.descr == "|u1", header.shape.count == 4, header.shape[1] == frames,
      header.shape[2] == size, header.shape[3] == size
    else {
      try? handle.close()
      throw TrainingError.badShard(
        sha256, "holds \(header.descr) \(header.shape), expected uint8 [n, \(frames), \(size), \(size)]")
    }
    let shard = (handle, UInt64(header.dataOffset), header.shape[0])
    shards[sha256] = shard
    return shard
  }
}

import GRDB

/// Cubes are the catalog's largest table (thousands per dataset, every one written by tiling and
/// import and read by training), so they map to their columns by hand: GRDB's Codable bridge
/// with snake-case key conversion was most of an import's transaction in a profile.
/// The JSON form of a cube (bundles) still uses the synthesized `Codable`.
extension Cube {
  /// Inserts many cubes through one prepared statement (an import of 6,184 cubes now spends its
  /// transaction almost entirely inside SQLite).
  ///
  /// ```swift
  /// try Cube.insert(cubes, in: db)
  /// ```
  public static func insert(_ cubes: some Sequence<Cube>, in db: Database) throws {
    let statement = try db.cachedStatement(
      sql: """
        INSERT INTO cube (id, dataset_id, conversion_id, roi_id, patient_id, label, clip_index, first_frame,
          frames, tile_row, tile_col, x, y, size, shard_sha256, shard_index)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """)
    for cube in cubes {
      try statement.execute(arguments: [
        cube.id, cube.datasetId, cube.conversionId, cube.roiId, cube.patientId, cube.label.rawValue,
        cube.clipIndex, cube.firstFrame, cube.frames, cube.tileRow, cube.tileCol, cube.x, cube.y, cube.size,
        cube.shardSha256, cube.shardIndex,
      ])
    }
  }

  public init(row: Row) throws {
    let labelText: String = try row.decode(forColumn: "label")
    guard let label = SlidingLabel(rawValue: labelText) else {
      throw CubeRowError.invalidLabel(labelText)
    }
    self.init(
      id: try row.decode(forColumn: "id"), datasetId: try row.decode(forColumn: "dataset_id"),
      conversionId: try row.decode(forColumn: "conversion_id"), roiId: try row.decode(forColumn: "roi_id"),
      patientId: try row.decode(forColumn: "patient_id"), label: label,
      clipIndex: try row.decode(forColumn: "clip_index"),
      firstFrame: try row.decode(forColumn: "first_frame"),
      frames: try row.decode(forColumn: "frames"), tileRow: try row.decode(forColumn: "tile_row"),
      tileCol: try row.decode(forColumn: "tile_col"), x: try row.decode(forColumn: "x"),
      y: try row.decode(forColumn: "y"), size: try row.decode(forColumn: "size"),
      shardSha256: try row.decode(forColumn: "shard_sha256"),
      shardIndex: try row.decode(forColumn: "shard_index"))
  }

  public func encode(to container: inout PersistenceContainer) {
    container["id"] = id
    container["dataset_id"] = datasetId
    container["conversion_id"] = conversionId
    container["roi_id"] = roiId
    container["patient_id"] = patientId
    container["label"] = label.rawValue
    container["clip_index"] = clipIndex
    container["first_frame"] = firstFrame
    container["frames"] = frames
    container["tile_row"] = tileRow
    container["tile_col"] = tileCol
    container["x"] = x
    container["y"] = y
    container["size"] = size
    container["shard_sha256"] = shardSha256
    container["shard_index"] = shardIndex
  }
}

/// A cube row the catalog's CHECK constraint should have made impossible.
public enum CubeRowError: Error, CustomStringConvertible {
  case invalidLabel(String)

  public var description: String {
    switch self {
    case .invalidLabel(let text):
      "a cube row has the label '\(text.prefix(40))', not present, absent or unknown"
    }
  }
}

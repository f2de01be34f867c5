import Foundation
import GRDB
import Platform

/// Read-only views of datasets and splits for the CLI.
public enum DatasetViews {
  public struct ListRow: Codable, Sendable {
    public var reference: String
    public var id: String
    public var site: String
    /// `cubes` or `mmode` (M-mode images, stored as cubes of one frame).
    public var kind: String
    public var cubes: Int
    public var videos: Int
    public var patients: Int
    public var skipped: Int
    public var createdAt: String
  }

  public struct Detail: Encodable {
    public var dataset: Dataset
    public var summary: DatasetSummary
    public var splits: [String]
    /// `cubes` or `mmode`, and what its items are in a few words (from the recipe).
    public var kind: String
    public var holds: String
    public init(dataset: Dataset, summary: DatasetSummary, splits: [String]) {
      self.dataset = dataset
      self.summary = summary
      self.splits = splits
      (kind, holds) = DatasetViews.kind(of: dataset)
    }
  }

  /// The dataset `reference` names (any name a listing prints), its summary and its splits.
  public static func detail(_ reference: String, in catalog: Catalog) throws -> Detail {
    try catalog.database.read { db in
      let found = try Dataset.find(reference, in: db)
      let splits = try Split.filter(Split.Columns.datasetId == found.id).fetchAll(db)
      return Detail(dataset: found, summary: try summary(found), splits: splits.map(\.id))
    }
  }

  public struct DiffRow: Codable, Sendable {
    public var video: String
    public var fileName: String
    public var added: Int
    public var removed: Int
    /// "present v1 -> absent v3" when the video's cubes carry another label (version) in `to`.
    public var labelChange: String?
    /// "v1 -> v2" when the video was cut with another ROI version in `to`.
    public var roiChange: String?
  }

  public static func summary(_ dataset: Dataset) throws -> DatasetSummary {
    try JSONDecoder().decode(DatasetSummary.self, from: Data(dataset.summaryJson.utf8))
  }

  /// Each video of a dataset with the label and ROI versions it was cut with.
  static func videoTiles(_ dataset: Dataset) -> [String: DatasetSummary.VideoTiles] {
    let videos = (try? summary(dataset))?.videos ?? []
    return Dictionary(videos.map { ($0.video, $0) }, uniquingKeysWith: { a, _ in a })
  }

  public static func list(_ catalog: Catalog) throws -> [ListRow] {
    try catalog.database.read { db in
      let sites = Dictionary(uniqueKeysWithValues: try Site.fetchAll(db).map { ($0.id, $0) })
      return try Dataset.order(Dataset.Columns.name, Dataset.Columns.version).fetchAll(db).map { dataset in
        let summary = try? summary(dataset)
        let site = sites[dataset.siteId]
        return ListRow(
          reference: dataset.listedName(site: site), id: dataset.id,
          site: site?.name ?? "?", kind: kind(of: dataset).kind, cubes: summary?.cubes ?? 0,
          videos: summary?.videos.count ?? 0,
          patients: summary?.perPatient.count ?? 0, skipped: summary?.skipped.count ?? 0,
          createdAt: dataset.createdAt)
      }
    }
  }

  /// Cubes are the same when they come from the same conversion, ROI version, clip and tile; a
  /// video is listed when its cubes differ or when it was cut with another label or ROI version.
  public static func diff(_ from: String, _ to: String, in catalog: Catalog) throws -> [DiffRow] {
    try catalog.database.read { db in
      let a = try Dataset.find(from, in: db)
      let b = try Dataset.find(to, in: db)
      let sql = """
        SELECT v.id AS video, v.file_name AS file, c.conversion_id || ':' || r.version || ':' || c.clip_index || ':'
          || c.tile_row || ':' || c.tile_col || ':' || c.size || ':' || c.frames AS key
        FROM cube c JOIN conversion k ON k.id = c.conversion_id JOIN source_video v ON v.id = k.source_video_id
        JOIN roi_annotation r ON r.id = c.roi_id WHERE c.dataset_id = ?
        """
      func keys(_ dataset: Dataset) throws -> [String: (String, Set<String>)] {
        var result: [String: (String, Set<String>)] = [:]
        for row in try Row.fetchAll(db, sql: sql, arguments: [dataset.id]) {
          let video: String = row["video"]
          result[video, default: (row["file"], [])].1.insert(row["key"])
        }
        return result
      }
      let (left, right) = (try keys(a), try keys(b))
      let (videosA, videosB) = (videoTiles(a), videoTiles(b))
      return Set(left.keys).union(right.keys).sorted().compactMap { video in
        let before = left[video]?.1 ?? []
        let after = right[video]?.1 ?? []
        let added = after.subtracting(before).count
        let removed = before.subtracting(after).count
        var labelChange: String?
        var roiChange: String?
        if let old = videosA[video], let new = videosB[video] {
          if old.label != new.label
            || (old.labelVersion != nil && new.labelVersion != nil
              && old.labelVersion != new.labelVersion)
          {
            func text(_ tiles: DatasetSummary.VideoTiles) -> String {
              tiles.label + (tiles.labelVersion.map { " v\($0)" } ?? "")
            }
            labelChange = "\(text(old)) -> \(text(new))"
          }
          if old.roiVersion != new.roiVersion { roiChange = "v\(old.roiVersion) -> v\(new.roiVersion)" }
        }
        guard added + removed > 0 || labelChange != nil || roiChange != nil else { return nil }
        return DiffRow(
          video: video, fileName: left[video]?.0 ?? right[video]?.0 ?? video, added: added, removed: removed,
          labelChange: labelChange, roiChange: roiChange)
      }
    }
  }

  public struct SplitCounts: Codable, Sendable, CustomStringConvertible {
    public var part: String
    public var label: String
    public var patients: Int
    public var videos: Int
    public var cubes: Int
    public var description: String {
      "\(part) \(label): \(patients) patients, \(videos) videos, \(cubes) cubes"
    }
  }

  public static func splitCounts(_ splitID: String, in db: Database) throws -> [SplitCounts] {
    try Row.fetchAll(
      db,
      sql: """
        SELECT a.part, c.label, count(DISTINCT a.patient_id) AS patients,
          count(DISTINCT c.conversion_id) AS videos, count(c.id) AS cubes
        FROM split s JOIN split_assignment a ON a.split_id = s.id
        JOIN cube c ON c.dataset_id = s.dataset_id AND c.patient_id = a.patient_id
        WHERE s.id = ? GROUP BY a.part, c.label ORDER BY a.part, c.label
        """, arguments: [splitID]
    ).map {
      SplitCounts(
        part: $0["part"], label: $0["label"], patients: $0["patients"], videos: $0["videos"],
        cubes: $0["cubes"])
    }
  }

  public struct SplitPatient: Codable, Sendable, CustomStringConvertible {
    public var part: String
    public var code: String
    public var site: String
    /// The labels of the patient's cubes in the split's dataset, sorted and joined by "+": a
    /// patient with both counts in both strata of its part.
    public var labels: String
    public var description: String { "\(part) \(code) [\(site)] \(labels)" }
  }

  public static func splitPatients(_ splitID: String, in db: Database) throws -> [SplitPatient] {
    var labels: [String: [String]] = [:]
    for row in try Row.fetchAll(
      db,
      sql: """
        SELECT DISTINCT c.patient_id, c.label FROM cube c JOIN split s ON s.dataset_id = c.dataset_id
        WHERE s.id = ? ORDER BY c.patient_id, c.label
        """, arguments: [splitID])
    {
      labels[row["patient_id"], default: []].append(row["label"])
    }
    return try Row.fetchAll(
      db,
      sql: """
        SELECT a.part, a.patient_id, p.code, s.name AS site FROM split_assignment a
        JOIN patient p ON p.id = a.patient_id JOIN site s ON s.id = p.site_id
        WHERE a.split_id = ? ORDER BY a.part, p.code
        """, arguments: [splitID]
    ).map {
      SplitPatient(
        part: $0["part"], code: $0["code"], site: $0["site"],
        labels: labels[$0["patient_id"], default: []].joined(separator: "+"))
    }
  }
}

/// `dataset export-npy`: the dataset as one `cubes.npy`, `labels.npy` and `meta.csv`.
///
/// Each shard is checked against its hash as it is read and against the cubes its rows claim;
/// the three files are written under temporary names and renamed only when all are complete,
/// so a damaged shard (or a kill) leaves no partial `cubes.npy` behind.
public enum DatasetExport {
  @discardableResult
  public static func writeNPY(_ reference: String, to folder: URL, catalog: Catalog) throws -> Int {
    let (dataset, cubes, meta) = try catalog.database.read { db in
      let dataset = try Dataset.find(reference, in: db)
      let rows = try Row.fetchAll(
        db,
        sql: """
          SELECT c.*, p.code AS patient_code, k.source_video_id AS video FROM cube c
          JOIN patient p ON p.id = c.patient_id JOIN conversion k ON k.id = c.conversion_id
          WHERE c.dataset_id = ? ORDER BY c.rowid
          """, arguments: [dataset.id])
      let cubes = try Cube.filter(Cube.Columns.datasetId == dataset.id).order(Column("rowid")).fetchAll(db)
      return (dataset, cubes, rows)
    }
    guard let first = cubes.first else { return 0 }
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let files = ["cubes.npy", "labels.npy", "meta.csv"].map {
      PartialFile(for: folder.appendingPathComponent($0))
    }
    defer { for file in files { file.discard() } }
    let writer = try NPY.StreamWriter(
      url: files[0].temporary, dtype: .uint8, rowShape: [first.frames, first.size, first.size])
    defer { writer.close() }
    var shard: Shard?
    for cube in cubes {
      guard cube.frames == first.frames, cube.size == first.size else {
        throw DatasetExportError.mixedShapes(
          dataset.reference, first: first.id, other: cube.id,
          shapes: "\(first.frames)x\(first.size)x\(first.size) and \(cube.frames)x\(cube.size)x\(cube.size)")
      }
      let current: Shard
      if let shard, shard.sha256 == cube.shardSha256 {
        current = shard
      } else {
        current = try Shard(cube.shardSha256, of: cube, in: catalog)
        shard = current
      }
      try current.withCube(cube) { try writer.append($0) }
    }
    try writer.finish()
    let labels = cubes.map { $0.label == .present ? UInt8(1) : UInt8(0) }
    try NPY.encode(uint8: labels, shape: [labels.count]).write(to: files[1].temporary)
    var lines = [
      "index,cube,dataset,video,conversion,patient,label,clip,first_frame,tile_row,tile_col,x,y,size,frames"
    ]
    for (index, row) in meta.enumerated() {
      let fields: [String] = [
        "\(index)", row["id"], dataset.reference, row["video"], row["conversion_id"], row["patient_code"],
        row["label"],
        "\(row["clip_index"] as Int)", "\(row["first_frame"] as Int)", "\(row["tile_row"] as Int)",
        "\(row["tile_col"] as Int)", "\(row["x"] as Int)", "\(row["y"] as Int)", "\(row["size"] as Int)",
        "\(row["frames"] as Int)",
      ]
      lines.append(fields.joined(separator: ","))
    }
    try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: files[2].temporary)
    for file in files { try file.commit() }
    return cubes.count
  }

  /// One shard's bytes, verified against its hash, with the cubes its header says it holds.
  struct Shard {
    let sha256: String
    let data: Data
    let dataOffset: Int
    let count: Int
    let cubeBytes: Int

    init(_ sha256: String, of cube: Cube, in catalog: Catalog) throws {
      self.sha256 = sha256
      data = try catalog.blobs.read(sha256, of: "the shard of cube \(cube.id)")
      guard let header = NPY.readHeader(data) else {
        throw DatasetExportError.badShard(sha256, cube: cube.id, "is not an .npy file")
      }
      let shape = [cube.frames, cube.size, cube.size]
      guard header.descr == "|u1", header.shape.count == 4, Array(header.shape[1...]) == shape,
        header.shape[0] >= 0
      else {
        throw DatasetExportError.badShard(
          sha256, cube: cube.id, "holds \(header.descr) \(header.shape), expected uint8 [n, \(shape)]")
      }
      let (bytes, overflow) = shape.reduce(1, *).multipliedReportingOverflow(by: header.shape[0])
      guard !overflow, header.dataOffset <= data.count, bytes <= data.count - header.dataOffset else {
        throw DatasetExportError.badShard(sha256, cube: cube.id, "ends before its \(header.shape[0]) cubes")
      }
      dataOffset = header.dataOffset
      count = header.shape[0]
      cubeBytes = shape.reduce(1, *)
    }

    func withCube(_ cube: Cube, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
      guard cube.shardIndex >= 0, cube.shardIndex < count else {
        throw DatasetExportError.badShard(sha256, cube: cube.id, "has no cube \(cube.shardIndex)")
      }
      let start = data.startIndex + dataOffset + cube.shardIndex * cubeBytes
      try data[start..<(start + cubeBytes)].withUnsafeBytes(body)
    }
  }
}

public enum DatasetExportError: Error, CustomStringConvertible {
  case badShard(String, cube: String, String)
  case mixedShapes(String, first: String, other: String, shapes: String)

  public var description: String {
    switch self {
    case .badShard(let sha, let cube, let reason): "the shard \(sha) of cube \(cube) \(reason)"
    case .mixedShapes(let dataset, let first, let other, let shapes):
      "\(dataset) mixes cube shapes (\(shapes), cubes \(first) and \(other)); one .npy array cannot hold both"
    }
  }
}

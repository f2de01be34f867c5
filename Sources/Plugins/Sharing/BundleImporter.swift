import Foundation
import GRDB
import Platform

public enum ImportError: Error, CustomStringConvertible, Equatable {
  case notAPleuraBundle(String)
  case newerSchema(bundle: Int, ours: Int)
  case tooLarge(file: String, limit: String)
  case malformed(file: String, reason: String)
  case badRow(file: String, index: Int, reason: String)
  case missingReference(file: String, index: Int, field: String, value: String)
  case conflict(String)

  public var description: String {
    // Reasons and values quote rows from another site: escaped and cut short, so that a hostile
    // value can neither rewrite the terminal line nor bury the message.
    switch self {
    case .notAPleuraBundle(let reason): "not a Pleura bundle: \(reason.escapedForMessage)"
    case .newerSchema(let bundle, let ours):
      "the bundle was written with catalog schema \(bundle), newer than this Pleura's \(ours); upgrade Pleura to import it"
    case .tooLarge(let file, let limit): "\(file) is larger than \(limit)"
    case .malformed(let file, let reason): "\(file) cannot be read: \(reason.escapedForMessage)"
    case .badRow(let file, let index, let reason): "\(file), row \(index + 1): \(reason.escapedForMessage)"
    case .missingReference(let file, let index, let field, let value):
      "\(file), row \(index + 1): \(field) \(value.escapedForMessage) is neither in the bundle nor in this catalog"
    case .conflict(let reason): reason.escapedForMessage
    }
  }
}

/// `pleura import`: verifies a bundle completely (bag structure, every checksum, Payload-Oxum,
/// schema version, every row and reference) before writing anything, then moves its blobs in
/// and writes all rows in one transaction under the exporting site's namespace.
public struct BundleImporter {
  public struct Outcome: Codable, Sendable {
    public var dataset: String
    public var site: String
    public var alreadyImported: Bool
    public var rows: Int
    public var blobsAdded: Int
    public var runID: String?
  }

  public static let pluginName = "import"
  public static let version = SemanticVersion(1, 0, 0)

  /// Bounds on what a bundle may claim, so absurd rows are refused before they cost anything.
  static let maxCatalogFileBytes: Int64 = 1 << 30
  static let maxRows = 20_000_000
  static let maxTextLength = 1 << 20

  let catalog: Catalog

  public init(catalog: Catalog) { self.catalog = catalog }

  /// Checks a bundle without importing it.
  public func verify(_ file: URL) throws -> (BundleContent, BagInfo) {
    let bag = try BagReader(stagingParent: try catalog.blobs.scratchFolder()).extract(archive: file)
    defer { try? FileManager.default.removeItem(at: bag.root.deletingLastPathComponent()) }
    let content = try Self.read(bag)
    try Self.validate(content, bag: bag)
    return (content, bag.info)
  }

  public func importBundle(_ file: URL) throws -> Outcome {
    let lock = try catalog.runLock()
    defer { withExtendedLifetime(lock) {} }
    let scratch = try catalog.blobs.scratchFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    let bag = try BagReader(stagingParent: scratch).extract(archive: file)
    defer { try? bag.remove() }
    let content = try Self.read(bag)
    try Self.validate(content, bag: bag)
    let dataset = content.datasets[0]
    let siteName = bag.info[BundleContent.InfoKey.siteName] ?? "?"

    let plan = try catalog.database.read { db in try ImportPlan.make(content, in: db) }
    if plan.alreadyImported {
      return Outcome(
        dataset: dataset.reference, site: siteName, alreadyImported: true, rows: 0, blobsAdded: 0, runID: nil)
    }
    // Blobs first (content-addressed: harmless if the transaction below fails, and then removed,
    // with the fan-out folders this import made, so a refused bundle leaves the store as it was).
    var added: [String] = []
    var madeFolders: Set<URL> = []
    do {
      for blob in content.blobs where blob.stored && !catalog.blobs.contains(blob.sha256) {
        let folder = try catalog.blobs.url(for: blob.sha256).deletingLastPathComponent()
        if !FileManager.default.fileExists(atPath: folder.path) { madeFolders.insert(folder) }
        _ = try catalog.blobs.store(
          movingVerifiedFileAt: bag.url(of: "data/blobs/\(blob.sha256)"), sha256: blob.sha256, size: blob.size
        )
        added.append(blob.sha256)
      }
      let runID = EntityKind.run.newID()
      let rows = try catalog.database.write { db in
        try plan.write(
          content, in: db, importRun: importRun(id: runID, file: file, dataset: dataset, site: siteName))
      }
      return Outcome(
        dataset: dataset.reference, site: siteName, alreadyImported: false, rows: rows,
        blobsAdded: added.count,
        runID: runID)
    } catch {
      for sha in added { try? catalog.blobs.remove(sha) }
      // rmdir(2) removes a folder only while it is empty: one that another writer has meanwhile
      // put a blob in stays.
      for folder in madeFolders { rmdir(folder.path) }
      throw error
    }
  }

  func importRun(id: String, file: URL, dataset: Dataset, site: String) throws -> Run {
    struct Parameters: Encodable {
      var file: String
      var dataset: String
      var site: String
    }
    let parameters = try CanonicalJSON.encode(
      Parameters(file: file.lastPathComponent, dataset: dataset.reference, site: site))
    return try Run.service(
      id: id, plugin: Self.pluginName, version: Self.version, parametersJSON: parameters,
      siteID: catalog.localSite.id, summary: "imported \(dataset.reference) from site \(site)")
  }

  // MARK: - Reading and checking

  static func read(_ bag: VerifiedBag) throws -> BundleContent {
    guard let schemaText = bag.info[BundleContent.InfoKey.schema], let schema = Int(schemaText),
      bag.info[BundleContent.InfoKey.siteUUID] != nil
    else {
      throw ImportError.notAPleuraBundle("bag-info.txt has no Pleura-Schema-Version or Pleura-Site-UUID")
    }
    guard schema <= Catalog.schemaVersion else {
      throw ImportError.newerSchema(bundle: schema, ours: Catalog.schemaVersion)
    }
    let sizes = Dictionary(bag.payload.map { ($0.path, $0.size) }, uniquingKeysWith: { a, _ in a })
    func load<T: Decodable>(_ name: String, as type: [T].Type) throws -> [T] {
      let path = "data/catalog/\(name)"
      guard let size = sizes[path] else { throw ImportError.notAPleuraBundle("\(path) is missing") }
      guard size <= maxCatalogFileBytes else { throw ImportError.tooLarge(file: path, limit: "1 GiB") }
      do {
        let rows = try JSONDecoder().decode([T].self, from: Data(contentsOf: bag.url(of: path)))
        guard rows.count <= maxRows else { throw ImportError.tooLarge(file: path, limit: "\(maxRows) rows") }
        return rows
      } catch let error as ImportError {
        throw error
      } catch {
        throw ImportError.malformed(file: path, reason: Self.describe(error))
      }
    }
    var content = BundleContent()
    content.sites = try load("site.json", as: [Site].self)
    content.blobs = try load("blob.json", as: [BlobRecord].self)
    content.patients = try load("patient.json", as: [Patient].self)
    content.sourceVideos = try load("source_video.json", as: [SourceVideo].self)
    content.conversions = try load("conversion.json", as: [Conversion].self)
    content.roiAnnotations = try load("roi_annotation.json", as: [RoiAnnotation].self)
    content.datasets = try load("dataset.json", as: [Dataset].self)
    content.cubes = try load("cube.json", as: [Cube].self)
    content.splits = try load("split.json", as: [Split].self)
    content.splitAssignments = try load("split_assignment.json", as: [SplitAssignment].self)
    content.runs = try load("run.json", as: [Run].self)
    content.runEdges = try load("run_edge.json", as: [RunEdge].self)
    return content
  }

  static func describe(_ error: Error) -> String {
    switch error {
    // A value the type refuses (an unknown enum case): where it is, not what it is, since
    // Foundation's text quotes the value whole, however long.
    case DecodingError.dataCorrupted(let context) where !context.codingPath.isEmpty:
      "a field has an invalid value at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
    case DecodingError.dataCorrupted(let context): "invalid JSON (\(context.debugDescription))"
    case DecodingError.keyNotFound(let key, _): "a row has no '\(key.stringValue)'"
    case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
      "a field has the wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
    default: "\(error)"
    }
  }

  /// Every row well-formed, every reference inside the bundle, every shipped blob present.
  static func validate(_ content: BundleContent, bag: VerifiedBag) throws {
    try BundleValidator(
      content: content,
      payload: Dictionary(bag.payload.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
    )
    .run()
  }
}

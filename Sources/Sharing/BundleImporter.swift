import Bag
import Foundation
import GRDB
import Platform
import Primitives

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
    /// Models and evaluations added (a bundle exported with `--with-models`).
    public var models: Int
    public var evaluations: Int
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
  /// Told of each file extracted and checked from the archive (how many there are is known
  /// only at the end).
  public var progress: ProgressSink = .silent

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
    var reader = BagReader(stagingParent: scratch)
    reader.startsWriteback = true
    let prefetch = CatalogPrefetch()
    defer { prefetch.wait() }
    let extracted = ExtractionCount(progress: progress)
    reader.onFileExtracted = { path, url in
      prefetch.fileExtracted(path, at: url)
      extracted.add()
    }
    let bag = try reader.extract(archive: file)
    extracted.finish()
    defer {
      prefetch.wait()  // not reading the staged files any more
      try? bag.remove()
    }
    let content = try Self.read(bag, prefetched: prefetch)
    try Self.validate(content, bag: bag)
    let dataset = content.datasets[0]
    let siteName = bag.info[BundleContent.InfoKey.siteName] ?? "?"

    let plan = try catalog.database.read { db in try ImportPlan.make(content, in: db) }
    if plan.alreadyImported {
      return Outcome(
        dataset: dataset.reference, site: siteName, alreadyImported: true, rows: 0, models: 0, evaluations: 0,
        blobsAdded: 0, runID: nil)
    }
    // Blobs first (content-addressed: harmless if the transaction below fails, and then removed,
    // with the fan-out folders this import made, so a refused bundle leaves the store as it was).
    var blobsAdded: [String] = []
    var madeFolders: Set<URL> = []
    do {
      for blob in content.blobs where blob.stored && !catalog.blobs.contains(blob.sha256) {
        let folder = try catalog.blobs.url(for: blob.sha256).deletingLastPathComponent()
        if !FileManager.default.fileExists(atPath: folder.path) { madeFolders.insert(folder) }
        _ = try catalog.blobs.store(
          movingVerifiedFileAt: bag.url(of: "data/blobs/\(blob.sha256)"), sha256: blob.sha256, size: blob.size
        )
        blobsAdded.append(blob.sha256)
      }
      let runID = EntityKind.run.newID()
      let rows = try catalog.database.write { db in
        try plan.write(
          content, in: db, importRun: importRun(id: runID, file: file, dataset: dataset, site: siteName))
      }
      let added = plan.newModels(content)
      return Outcome(
        dataset: dataset.reference, site: siteName, alreadyImported: false, rows: rows,
        models: added.filter { $0.kind == .model }.count,
        evaluations: added.filter { $0.kind == .evaluation }.count, blobsAdded: blobsAdded.count, runID: runID
      )
    } catch {
      for sha in blobsAdded { try? catalog.blobs.remove(sha) }
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

  /// Where a bundle's catalog files are, one JSON file per table.
  static let catalogFolder = "data/catalog/"

  /// The bundle's rows, from `prefetched` when it decoded exactly the verified catalog files.
  static func read(_ bag: VerifiedBag, prefetched: CatalogPrefetch? = nil) throws -> BundleContent {
    guard let schemaText = bag.info[BundleContent.InfoKey.schema], let schema = Int(schemaText),
      bag.info[BundleContent.InfoKey.siteUUID] != nil
    else {
      throw ImportError.notAPleuraBundle("bag-info.txt has no Pleura-Schema-Version or Pleura-Site-UUID")
    }
    guard schema <= Catalog.schemaVersion else {
      throw ImportError.newerSchema(bundle: schema, ours: Catalog.schemaVersion)
    }
    var sizes: [String: Int64] = [:]
    for file in bag.payload where file.path.hasPrefix(catalogFolder) { sizes[file.path] = file.size }
    if let result = prefetched?.result(for: sizes) { return try result.get() }
    return try decodeTables(sizes: sizes) { path in try Data(contentsOf: bag.url(of: path)) }
  }

  /// Decodes every table from the catalog files listed in `sizes` (path under `data/catalog/`
  /// to size), reading each through `contents`.
  static func decodeTables(sizes: [String: Int64], contents: (String) throws -> Data) throws -> BundleContent
  {
    var content = BundleContent()
    for table in BundleContent.tables {
      let path = catalogFolder + table.fileName
      guard let size = sizes[path] else {
        if table.addedLater { continue }
        throw ImportError.notAPleuraBundle("\(path) is missing")
      }
      guard size <= maxCatalogFileBytes else { throw ImportError.tooLarge(file: path, limit: "1 GiB") }
      let rows: Int
      do {
        rows = try table.decode(contents(path), &content)
      } catch {
        throw ImportError.malformed(file: path, reason: Self.describe(error))
      }
      guard rows <= maxRows else { throw ImportError.tooLarge(file: path, limit: "\(maxRows) rows") }
    }
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

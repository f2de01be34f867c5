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
    let scratch = try catalog.scratchFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    let bag = try Self.reader(stagingParent: scratch).extract(archive: file)
    let content = try Self.read(bag)
    try Self.validate(content, bag: bag)
    return (content, bag.info)
  }

  /// Imports a bundle as one run. The run is recorded first, so that a process killed part-way
  /// leaves a run the next open marks interrupted; a bundle refused, or one already here, leaves
  /// no row at all.
  public func importBundle(_ file: URL) throws -> Outcome {
    let run = try ServiceRun.begin(
      catalog, plugin: Self.pluginName, version: Self.version,
      parametersJSON: try runParameters(file: file, dataset: nil, site: nil))
    var moved = MovedBlobs()
    do {
      return try importBag(file, run: run, moved: &moved)
    } catch {
      // After the run lock is released (importBag has returned), so that the maintenance lock can
      // be tried.
      moved.removeUnreferenced(from: catalog)
      if Self.isRefusal(error) { run.withdraw() } else { run.fail(catalog.describe(error)) }
      throw error
    }
  }

  private func importBag(_ file: URL, run: ServiceRun, moved: inout MovedBlobs) throws -> Outcome {
    let lock = try catalog.runLock()
    defer { withExtendedLifetime(lock) {} }
    let scratch = try catalog.blobs.scratchFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    var reader = Self.reader(stagingParent: scratch)
    reader.startsWriteback = true
    let prefetch = CatalogPrefetch()
    defer { prefetch.wait() }
    let admission = reader.onFileExtracted
    let extracted = ExtractionCount(progress: progress)
    reader.onFileExtracted = { path, url in
      admission?(path, url)
      prefetch.fileExtracted(path, at: url)
      extracted.add()
    }
    let bag = try reader.extract(archive: file)
    extracted.finish()
    defer {
      prefetch.wait()  // not reading the staged files any more
      try? bag.remove()
    }
    var content = try Self.read(bag, prefetched: prefetch)
    try Self.validate(content, bag: bag)
    content.addIngestLabelVersions()
    let dataset = content.datasets[0]
    let siteName = bag.info[BundleContent.InfoKey.siteName] ?? "?"
    let noOp = Outcome(
      dataset: dataset.reference, site: siteName, alreadyImported: true, rows: 0, models: 0, evaluations: 0,
      blobsAdded: 0, runID: nil)

    // A first look, so that a bundle already here moves no blob; the transaction below decides.
    if try catalog.database.read({ db in try ImportPlan.make(content, in: db) }).alreadyImported {
      run.withdraw()
      return noOp
    }
    // Blobs first (content-addressed: harmless if the transaction below fails; then removed, with
    // the fan-out folders this import made, unless a committed row names them meanwhile).
    for blob in content.blobs where blob.stored && !catalog.blobs.contains(blob.sha256) {
      let folder = try catalog.blobs.url(for: blob.sha256).deletingLastPathComponent()
      if !FileManager.default.fileExists(atPath: folder.path) { moved.folders.insert(folder) }
      _ = try catalog.blobs.store(
        movingVerifiedFileAt: bag.url(of: "data/blobs/\(blob.sha256)"), sha256: blob.sha256, size: blob.size)
      moved.blobs.append(blob.sha256)
    }
    DebugHooks.pauseBeforeServiceCommit()
    let parameters = try runParameters(file: file, dataset: dataset.reference, site: siteName)
    let written = try catalog.database.write { db -> (rows: Int, added: [EntityRef])? in
      // Decided again inside the write transaction (one writer at a time): another import of the
      // same bundle may have committed since the first look, and then this one is a no-op.
      let plan = try ImportPlan.make(content, in: db)
      if plan.alreadyImported {
        try run.withdraw(in: db)
        return nil
      }
      let rows = try plan.write(content, in: db, importRunID: run.id)
      try run.succeed(
        summary: "imported \(dataset.reference) from site \(siteName)", parametersJSON: parameters, in: db)
      return (rows, plan.newModels(content))
    }
    guard let written else { return noOp }
    return Outcome(
      dataset: dataset.reference, site: siteName, alreadyImported: false, rows: written.rows,
      models: written.added.filter { $0.kind == .model }.count,
      evaluations: written.added.filter { $0.kind == .evaluation }.count, blobsAdded: moved.blobs.count,
      runID: run.id)
  }

  /// A reader that refuses, from its header, any entry a Pleura bundle does not hold (see
  /// ``BundleAdmission``).
  static func reader(stagingParent: URL) -> BagReader {
    var reader = BagReader(stagingParent: stagingParent)
    let admission = BundleAdmission(staging: stagingParent, limits: reader.limits)
    reader.onFileExtracted = { path, url in admission.fileExtracted(path, at: url) }
    reader.admit = { path, size throws(BagError) in try admission.admit(path, size) }
    return reader
  }

  func runParameters(file: URL, dataset: String?, site: String?) throws -> String {
    struct Parameters: Encodable {
      var file: String
      var dataset: String?
      var site: String?
    }
    return try CanonicalJSON.encode(Parameters(file: file.lastPathComponent, dataset: dataset, site: site))
  }

  /// Errors that mean the bundle was refused (its content), not that the import broke: they leave
  /// no run row, so a refused bundle leaves the catalog exactly as it was.
  static func isRefusal(_ error: Error) -> Bool {
    switch error {
    case is ImportError, is DecodingError: true
    case let bag as BagError:
      if case .io = bag { false } else { true }
    default: false
    }
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

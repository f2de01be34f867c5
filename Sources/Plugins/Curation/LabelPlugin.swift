import Foundation
import GRDB
import Platform

/// One label edit: a video's lung-sliding label as one author sees it.
public struct LabelEntry: Codable, Sendable, Equatable {
  public var video: String
  public var label: String
  public var author: String
  /// A reviewer's decision (see `LabelAnnotation.adjudicated`); absent means no.
  public var adjudicated: Bool?
  /// The version the editor started from; absent (the command line) takes the edit as it comes.
  public var base: EditBase?

  public init(
    video: String, label: SlidingLabel, author: String, adjudicated: Bool? = nil, base: EditBase? = nil
  ) {
    self.video = video
    self.label = label.rawValue
    self.author = author
    self.adjudicated = adjudicated
    self.base = base
  }
}

public enum LabelError: Error, CustomStringConvertible, Equatable {
  case noEntries
  case unknownVideo(String)
  case badLabel(String)
  case badAuthor(String)
  case conflict(AnnotationConflict)

  public var description: String {
    switch self {
    case .noEntries: "no label given"
    case .unknownVideo(let id): "no source video \(id) in this catalog"
    case .badLabel(let text): SlidingLabelError.invalid(text).description
    case .badAuthor(let author): "author '\(author)' must be 1-64 printable characters"
    case .conflict(let conflict): conflict.description
    }
  }
}

/// `label`: records lung-sliding label versions. An entry identical to the latest version (same
/// label, author and adjudication) changes nothing; any other adds a version that supersedes it.
public struct LabelPlugin: Plugin {
  public struct Parameters: PluginParameters {
    public var entries: [LabelEntry] = []
    public init() {}
    public init(entries: [LabelEntry]) { self.entries = entries }
  }

  public static let name = "label"
  public static let version = SemanticVersion(1, 0, 0)
  public static let summary = "Record lung-sliding label versions for source videos."
  public static let takes: [EntityKind] = []
  public static let makes: [EntityKind] = [.label]
  public static let parameterHelp = [
    "entries": "list of {video, label (present|absent|unknown), author, adjudicated, base}"
  ]
  /// Each label is an act of a person: never stood in for by an earlier run.
  public static let usesRunCache = false

  public init() {}

  public static func check(_ parameters: Parameters, inputs: [EntityRef], catalog: Catalog) async throws {
    guard !parameters.entries.isEmpty else { throw LabelError.noEntries }
    try await catalog.database.read { db in
      for entry in parameters.entries { try validate(entry, in: db) }
    }
  }

  public static func validate(_ entry: LabelEntry, in db: Database) throws {
    guard AnnotationAuthor.isValid(entry.author) else { throw LabelError.badAuthor(entry.author) }
    guard SlidingLabel(rawValue: entry.label) != nil else { throw LabelError.badLabel(entry.label) }
    guard EntityKind.of(id: entry.video) == .sourceVideo,
      try SourceVideo.fetchOne(db, key: entry.video) != nil
    else { throw LabelError.unknownVideo(entry.video) }
    if let base = entry.base {
      let seen = try LabelAnnotation.history(forVideo: entry.video, in: db).map {
        EditBase.Seen(version: $0.version, author: $0.author, createdAt: $0.createdAt)
      }
      do { try base.check(seen, editor: entry.author, what: .label, video: entry.video) } catch {
        throw LabelError.conflict(error)
      }
    }
  }

  public func run(_ parameters: Parameters, inputs: [EntityRef], context: PluginContext) async throws
    -> PluginOutput
  {
    let entries = parameters.entries
    return PluginOutput(summary: "") { db, run in
      try entries.compactMap { entry in try Self.record(entry, in: db, run: run) }
    }
  }

  /// Adds a version unless the entry equals the latest one, which the run then stands for
  /// (``PersistContext/remade(_:)``). Checked again here, inside the transaction, so that an edit
  /// racing another is refused rather than stored.
  public static func record(_ entry: LabelEntry, in db: Database, run: PersistContext) throws -> EntityRef? {
    try validate(entry, in: db)
    guard let label = SlidingLabel(rawValue: entry.label) else { throw LabelError.badLabel(entry.label) }
    let adjudicated = entry.adjudicated ?? false
    let latest = try LabelAnnotation.latest(forVideo: entry.video, in: db)
    if let latest, latest.label == label, latest.author == entry.author, latest.adjudicated == adjudicated {
      run.note("\(entry.video): label \(label.rawValue) is already version \(latest.version); unchanged")
      run.remade(EntityRef(.label, latest.id))
      return EntityRef(.label, latest.id)
    }
    let annotation = LabelAnnotation(
      id: EntityKind.label.newID(), siteId: run.siteID, sourceVideoId: entry.video,
      version: (latest?.version ?? 0) + 1, label: label, adjudicated: adjudicated, author: entry.author,
      supersedesId: latest?.id, createdAt: run.now)
    try annotation.insert(db)
    run.note(
      "\(entry.video): label version \(annotation.version) \(label.rawValue) by \(entry.author)"
        + (adjudicated ? " (adjudicated)" : ""))
    if let current = try LabelAnnotation.current(forVideo: entry.video, in: db), current.id != annotation.id {
      run.note(
        "\(entry.video): the current label stays the adjudicated version \(current.version) "
          + "(\(current.label.rawValue))")
    }
    return EntityRef(.label, annotation.id)
  }
}

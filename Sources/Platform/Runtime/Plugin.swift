import Foundation
import GRDB

/// The parameters of a plugin: `Codable` with a default for every field (`init()`), so that
/// `pleura plugins show NAME` can print them and `--param key=value` can override them.
/// Fields are not optional: a default value says what "not given" means.
public protocol PluginParameters: Codable, Sendable, Equatable {
  init()
}

/// A step of the pipeline. A plugin holds no state between runs: everything it needs comes in
/// through its parameters, its inputs and the context the runner gives it.
///
/// ```swift
/// struct Count: Plugin {
///   struct Parameters: PluginParameters { var limit = 10 }
///   static let name = "count"
///   static let version = SemanticVersion(1, 0, 0)
///   static let summary = "Counts things."
///   static let takes: [EntityKind] = [.dataset]
///   static let makes: [EntityKind] = []
///   func run(_ p: Parameters, inputs: [EntityRef], context: PluginContext) async throws -> PluginOutput {
///     PluginOutput(summary: "counted") { _, _ in [] }
///   }
/// }
/// ```
public protocol Plugin: Sendable {
  associatedtype Parameters: PluginParameters

  /// Unique name, lowercase, used by `pleura run NAME`.
  static var name: String { get }
  static var version: SemanticVersion { get }
  /// One line saying what the plugin does.
  static var summary: String { get }
  /// Entity kinds it accepts as inputs.
  static var takes: [EntityKind] { get }
  /// Entity kinds it creates.
  static var makes: [EntityKind] { get }
  /// One line of help per parameter name.
  static var parameterHelp: [String: String] { get }
  /// Whether an earlier successful run with the same version, parameters and input content may
  /// stand in for this one. Plugins that read the outside world (files) say no.
  static var usesRunCache: Bool { get }
  /// Whether running again from the recorded parameters and inputs gives the same outputs, so that
  /// `pleura rerun` can check a run. Plugins that read the outside world (files) or record a
  /// person's act say no.
  static var reproducible: Bool { get }
  /// The parameters as the catalog records them; a plugin drops what must not be stored there
  /// (for example folder names above an ingested file, which may name a person).
  static func recorded(_ parameters: Parameters) -> Parameters

  /// Checks the parameters and inputs before anything is recorded. Bad input found here leaves
  /// the catalog exactly as it was: no run row, no blob.
  static func check(_ parameters: Parameters, inputs: [EntityRef], catalog: Catalog) async throws

  init()

  /// Does the work. Blobs may be written to the store as it goes; catalog rows are written only
  /// by the returned output's `persist`, inside the runner's transaction.
  func run(_ parameters: Parameters, inputs: [EntityRef], context: PluginContext) async throws
    -> PluginOutput
}

extension Plugin {
  public static var parameterHelp: [String: String] { [:] }
  public static var usesRunCache: Bool { true }
  public static var reproducible: Bool { false }
  public static func recorded(_ parameters: Parameters) -> Parameters { parameters }
  public static func check(_ parameters: Parameters, inputs: [EntityRef], catalog: Catalog) async throws {}
}

/// What a run made: a summary line and a closure that writes its rows. The runner calls
/// `persist` inside the one transaction that also records the provenance edges and marks the run
/// succeeded, so a run either lands whole or not at all.
public struct PluginOutput: Sendable {
  public var summary: String
  public var persist: @Sendable (Database, PersistContext) throws -> [EntityRef]

  public init(
    summary: String, persist: @escaping @Sendable (Database, PersistContext) throws -> [EntityRef]
  ) {
    self.summary = summary
    self.persist = persist
  }
}

/// What `persist` knows about the run it belongs to, and where it notes what it did: notes become
/// the run's summary, so facts learnt inside the transaction (say, "already in the catalog")
/// reach the user.
public final class PersistContext: @unchecked Sendable {
  public let runID: String
  public let siteID: String
  public let now: String
  public private(set) var notes: [String] = []
  public private(set) var remade: Set<EntityRef> = []

  init(runID: String, siteID: String, now: String) {
    self.runID = runID
    self.siteID = siteID
    self.now = now
  }

  public func note(_ line: String) { notes.append(line) }

  /// Marks an output that `persist` returns but did not write: an entity already in the catalog
  /// with exactly what this run made (the same bytes, say), which the run stands for. The runner
  /// records no edge to it, and `pleura rerun` compares it as what the rerun made.
  public func remade(_ ref: EntityRef) { remade.insert(ref) }
}

/// `major.minor.patch`; plugins bump major when outputs for the same inputs change.
public struct SemanticVersion: Hashable, Codable, Sendable, CustomStringConvertible, Comparable {
  public var major: Int
  public var minor: Int
  public var patch: Int

  public init(_ major: Int, _ minor: Int, _ patch: Int) {
    self.major = major
    self.minor = minor
    self.patch = patch
  }

  public var description: String { "\(major).\(minor).\(patch)" }

  public static func < (lhs: SemanticVersion, rhs: SemanticVersion) -> Bool {
    (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
  }
}

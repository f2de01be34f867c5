import Foundation
import GRDB

/// Checks and lands one kind of external output whose check needs a plugin family's knowledge
/// (a dataset's shards and sidecars, a conversion's video). Platform imports no plugin, so the
/// families implement this and the executable registers them with ``ExternalOutputHandlers``
/// where it registers the built-in plugins (ARCHITECTURE.md, "External plugins").
public protocol ExternalOutputHandler: Sendable {
  var kind: ExternalOutputKind { get }
  /// Checks `output` (its metadata, and `files`, each a regular file inside the output folder,
  /// by role) against the run's inputs, before anything is stored. Throws
  /// ``ExternalOutputRefusal`` with one line saying what is wrong.
  func check(_ output: ExternalOutput, files: [String: URL], context: ExternalOutputContext, in db: Database)
    throws -> any CheckedExternalOutput
}

/// An output that passed its check: it writes its rows in the run's landing transaction.
public protocol CheckedExternalOutput: Sendable {
  /// Writes the output's rows; `blobs` are its files, stored and registered, by role.
  func persist(blobs: [String: StoredBlob], in db: Database, run: PersistContext) throws -> [EntityRef]
}

/// What a check may know of the run besides the output itself.
public struct ExternalOutputContext: Sendable {
  /// The run's inputs, as given.
  public var inputs: [EntityRef]
  /// How messages name the output ("output 'shards'").
  public var field: String

  /// The input of `kind` whose id is `id`, if the run was given it.
  public func input(_ id: String?, of kind: EntityKind) -> String? {
    inputs.first { $0.kind == kind && $0.id == id }?.id
  }
}

/// Why an output is refused: one line, after "plugin NAME gave an invalid result: ".
public struct ExternalOutputRefusal: Error, Sendable, CustomStringConvertible {
  public var reason: String
  public init(_ reason: String) { self.reason = reason }
  public var description: String { reason }
}

/// The handlers this process knows, by kind. The executable registers them once, before it runs
/// any plugin; a result with an output kind no handler is registered for is refused.
public enum ExternalOutputHandlers {
  private static let lock = NSLock()
  nonisolated(unsafe) private static var handlers: [ExternalOutputKind: any ExternalOutputHandler] = [:]

  /// Registers `handler` for its kind (a later registration of the same kind replaces it).
  public static func register(_ handler: any ExternalOutputHandler) {
    lock.withLock { handlers[handler.kind] = handler }
  }

  static func handler(for kind: ExternalOutputKind) -> (any ExternalOutputHandler)? {
    lock.withLock { handlers[kind] }
  }
}

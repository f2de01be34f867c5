import Foundation
import Logging

/// What the runner hands a plugin: the catalog, its blob store, a logger, a progress sink and
/// the run's identity. Cancellation is Swift's task cancellation.
public struct PluginContext: Sendable {
  public let catalog: Catalog
  public let logger: Logger
  public let progress: ProgressSink
  public let runID: String

  public var blobs: BlobStore { catalog.blobs }

  public init(catalog: Catalog, logger: Logger, progress: ProgressSink, runID: String) {
    self.catalog = catalog
    self.logger = logger
    self.progress = progress
    self.runID = runID
  }

  /// Throws `CancellationError` once the run has been cancelled.
  public func checkCancellation() throws { try Task.checkCancellation() }
}

/// Receives progress reports: `label`, units done, and the total when known.
public struct ProgressSink: Sendable {
  public let report: @Sendable (_ label: String, _ done: Int, _ total: Int?) -> Void

  public init(_ report: @escaping @Sendable (_ label: String, _ done: Int, _ total: Int?) -> Void) {
    self.report = report
  }

  public static let silent = ProgressSink { _, _, _ in }

  public func callAsFunction(_ label: String, _ done: Int, _ total: Int?) { report(label, done, total) }
}

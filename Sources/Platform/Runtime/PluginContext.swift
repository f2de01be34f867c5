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

import Hummingbird
import Logging

/// The request context: Hummingbird's core storage plus the session the middleware found.
public struct WorkbenchContext: RequestContext {
  public var coreContext: CoreRequestContextStorage
  public var session: Session?

  public init(source: ApplicationRequestContextSource) {
    coreContext = .init(source: source)
  }

  /// Writes are small JSON or form bodies; anything larger is refused before it is read.
  public var maxUploadSize: Int { WorkbenchConfiguration.maximumBodyBytes }
}
